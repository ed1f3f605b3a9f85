"""The coloured scorecard (areas × indicators, status fills) as an xlsx workbook."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from indicators.output import write_xlsx


def scorecard_xlsx(table: pd.DataFrame, lang: str = "zh") -> bytes:
    """The scorecard (areas × indicators, status fills) as xlsx bytes, by the indicators layer."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scorecard.xlsx"
        write_xlsx(table, path, lang)
        return path.read_bytes()
