"""Cell text: coercing a data cell to a number, normalising a label for matching, A1 addresses."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from zhibiao.datafiles import data_text

CellKind = Literal["number", "text_number", "percent", "blank", "zero_mark", "with_unit", "text"]

_WHITESPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z.'&]+")
_LATIN = re.compile(r"[A-Za-z]")
_EMPTY_BRACKETS = re.compile(r"\(\)|\[\]")
_COLUMN_NUMBER = re.compile(r"\((?:\d{1,3}|[甲乙丙丁戊])\)")
_CIRCLED = re.compile(r"[\u2460-\u2473\u24f5-\u24fe\u2776-\u277f]")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@cache
def synonyms() -> dict[str, Any]:
    """The synonym table (data/synonyms.toml), read once."""
    text = data_text("synonyms.toml")
    return tomllib.loads(text)


@cache
def zero_marks() -> frozenset[str]:
    return frozenset(nfkc(m) for m in synonyms()["cells"]["zero_marks"])


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width digits and punctuation become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


@cache
def _traditional() -> dict[int, str]:
    """Traditional characters of table wording → simplified (data/synonyms.toml)."""
    pairs = "".join(synonyms()["traditional"]["pairs"].split())
    return {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}


def simplified(text: str) -> str:
    """Traditional characters of the synonym table's list in their simplified form."""
    return text.translate(_traditional())


def normalise_label(value: Any) -> str:
    """A label as compared with the synonym table.

    NFKC, all whitespace removed (U+3000 too), column numbers `(2)` `（2）` `①` dropped,
    a trailing colon dropped; Traditional characters simplified (`區域別` → 区域别); in a
    bilingual label the English words dropped (`地区 Region` → 地区, `(人) (person)` → (人));
    an English-only label in lower case.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _WHITESPACE.sub("", nfkc(_CIRCLED.sub("", str(value))))
    text = _COLUMN_NUMBER.sub("", simplified(text))
    if _HAN.search(text):
        text = _EMPTY_BRACKETS.sub("", _LATIN_WORD.sub("", text))
    else:
        text = text.lower()
    return text.rstrip(":")


def has_han(text: str) -> bool:
    """The text holds a Chinese character."""
    return bool(_HAN.search(text))


def is_english(text: str) -> bool:
    """Words in Latin letters and no Chinese character (`National Total`, `Region`)."""
    return bool(_LATIN.search(text)) and not has_han(text)


def drop_english(text: str) -> str:
    """The Chinese part of a bilingual name (`北京 Beijing` → `北京 `); text without a Chinese
    character as it is."""
    return _LATIN_WORD.sub("", text) if has_han(text) else text


@dataclass(frozen=True)
class Coerced:
    """What a data cell holds, read as a number.

    kind: number (a real number cell), text_number (a number stored as text),
    percent (`96.4%`, value 96.4), blank, zero_mark (— - / 无: value 0), with_unit (a number
    written with a unit or 万, value in persons or 元: `1.2万` 12000), text (not a number).
    """

    kind: CellKind
    value: float | None
    text: str = ""
    unit: str = ""  # with_unit: count (`12人`), yuan (`3,200元`, `1.2万元`) or any (`1.2万`)

    @property
    def decimals(self) -> int:
        """Decimals shown (`96.43` → 2, `100.0` → 0), for checking a ratio the form shows."""
        return _decimals(self.text)

    @property
    def is_number(self) -> bool:
        return self.kind != "text"


def coerce_number(raw: Any) -> Coerced:
    """Read one data cell as a number; blank and dash-like marks are zero."""
    if raw is None:
        return Coerced("blank", 0.0)
    if isinstance(raw, bool):
        return Coerced("text", None)
    if isinstance(raw, int | float):
        value = float(raw)
        if value != value:  # NaN
            return Coerced("blank", 0.0)
        return Coerced("number", value, repr(value))
    text = _WHITESPACE.sub("", nfkc(str(raw)))
    if text == "":
        return Coerced("blank", 0.0)
    if text in zero_marks():
        return Coerced("zero_mark", 0.0)
    kind: CellKind = "text_number"
    if text.endswith("%"):
        text, kind = text[:-1], "percent"
    number = _plain(text)
    if number is None:
        return with_unit(text) if kind == "text_number" else Coerced("text", None)
    return Coerced(kind, number, text.replace(",", ""))


def cell_kind(raw: Any) -> CellKind:
    """`coerce_number(raw).kind`, without making the reading of a plain number cell."""
    kind = type(raw)
    if kind is float:
        return "number" if raw == raw else "blank"
    if kind is int:
        return "number"
    return coerce_number(raw).kind


def _plain(text: str) -> float | None:
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return float(text) if _PLAIN_NUMBER.match(text) else None


@cache
def _cell_units() -> tuple[dict[str, float], dict[str, str]]:
    """Multipliers (万 → 10000) and unit words → their kind (人 → count, 元 → yuan)."""
    table = synonyms()["cells"]
    units = {nfkc(u): "count" for u in table["count_units"]}
    units |= {nfkc(u): "yuan" for u in table["amount_units"]}
    return {nfkc(k): float(v) for k, v in table["multipliers"].items()}, units


def with_unit(text: str) -> Coerced:
    """`12人`, `1.2万`, `3,200元`, `0.18万元`: the number in persons or 元, and its unit kind."""
    multipliers, units = _cell_units()
    for word, kind in [*units.items(), ("", "any")]:
        if not text.endswith(word):
            continue
        stem = text[: len(text) - len(word)]
        for mark, factor in [*multipliers.items(), ("", 1.0)]:
            if (word or mark) and stem.endswith(mark):
                number = _plain(stem[: len(stem) - len(mark)])
                if number is not None:
                    return Coerced("with_unit", number * factor, text, kind)
    return Coerced("text", None)


def _decimals(text: str) -> int:
    """Decimals shown in a number's text (`96.43` → 2, `100.0` → 0)."""
    if "e" in text.lower() or "." not in text:
        return 0
    digits = text.split(".", 1)[1].rstrip("0")
    return len(digits)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and _WHITESPACE.sub("", value) == "")


def column_letter(col: int) -> str:
    """0-based column index → letters (0 → A, 26 → AA)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based row and column → A1 address."""
    return f"{column_letter(col)}{row + 1}"
