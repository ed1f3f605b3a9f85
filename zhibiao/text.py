"""User-supplied text at the edge: how long each field may be, and what is stripped from it.

Every layer reads these bounds: the login form and the accounts page (user names, passwords),
the loader (file names, township names, sheet titles), the store (its column lengths and the
audit trail, which keeps bounded text only). A longer field is refused with a message saying
the bound, never cut silently, except in the audit trail, which clips (`clip`).
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Any

#: Longest user name (the users, uploads and audit tables hold 200 characters).
MAX_USER_NAME = 200
#: Longest password accepted anywhere (hashing a megabyte password is work for nothing).
MAX_PASSWORD = 256
#: Longest file name of an upload, in characters (common file systems allow 255 bytes).
MAX_FILE_NAME = 255
#: Longest township (area) name and sheet title the values table holds.
MAX_AREA_NAME = 200
MAX_SHEET_NAME = 200
#: Longest text of one audit entry's field (longer text is clipped, with an ellipsis).
MAX_AUDIT_TEXT = 500
#: Most items of one list in an audit entry's detail.
MAX_AUDIT_ITEMS = 100
#: Characters of an over-long value quoted back in a refusal message.
QUOTED_CHARS = 24

#: Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069):
#: they reorder how a name is shown (`invoice\u202exslx.exe` shows as `invoiceexe.xlsx`).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: C0 and C1 control characters (tabs, line breaks, NUL …): no file name needs them.
CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f]")


def strip_bidi(text: str) -> str:
    """`text` without bidirectional controls."""
    return BIDI_CONTROLS.sub("", text)


def clean_file_name(name: str | None) -> str:
    """A file name as shown and stored: its last path part (after `/` or `\\`), without
    bidirectional or other control characters, without surrounding spaces."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    return CONTROL_CHARS.sub("", strip_bidi(base)).strip()


def clip(text: str, limit: int = MAX_AUDIT_TEXT) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when cut."""
    text = str(text)
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def quoted(text: str) -> str:
    """The start of an over-long value, as a refusal message quotes it."""
    return clip(strip_bidi(str(text)), QUOTED_CHARS)


def clip_tree(value: Any, limit: int = MAX_AUDIT_TEXT) -> Any:
    """A JSON-able value with every string (key or value) clipped to `limit` and every list to
    MAX_AUDIT_ITEMS items: what an audit entry may hold."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, dict):
        items = islice(value.items(), MAX_AUDIT_ITEMS)
        return {clip(str(k), limit): clip_tree(v, limit) for k, v in items}
    if isinstance(value, list | tuple):
        return [clip_tree(v, limit) for v in islice(value, MAX_AUDIT_ITEMS)]
    return value
