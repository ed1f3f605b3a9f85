"""The meeting exports, one module per format, all fed by `indicators/` and `dashboard.figures`.

- `pack`: what a pack holds (cards, ranking charts, the warnings, quality notes).
- `pptx`, `pdf`: the pack as slides or pages. `png`: the ranking charts. `xlsx`: the scorecard.
- `files`: the command line's door (read the store, write one file).

The in-memory builders (`pack_pptx`, `pack_pdf`, `pack_png`, `scorecard_xlsx`) take an indicator
table the page already has; `export_pack` reads the store and writes a file.
"""

from exports.files import export_file_name, export_pack, load_table
from exports.pack import FORMATS, PACK_INDICATORS, ExportError, build_pack, chosen_indicators
from exports.pdf import pack_pdf, pdf_font
from exports.png import pack_png
from exports.pptx import pack_pptx
from exports.xlsx import scorecard_xlsx

__all__ = [
    "FORMATS",
    "PACK_INDICATORS",
    "ExportError",
    "build_pack",
    "chosen_indicators",
    "export_file_name",
    "export_pack",
    "load_table",
    "pack_pdf",
    "pack_png",
    "pack_pptx",
    "pdf_font",
    "scorecard_xlsx",
]
