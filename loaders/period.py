"""Period and basis of a report: read from the title and preamble, the sheet name, the file name.

`1-M月`, `1至M月`, `1～M月`, `累计` → year to date; a bare `M月`, `当月`, `本月` → that month
alone. The first source (title first, then the other preamble lines, the sheet name, the file
name) that names a month gives the month; the year may come from any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.cells import nfkc, synonyms

_DASH = r"[-~至到—–―]+"
_FULL_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})(?:年(?P<m>\d{1,2})月\d{1,2}日|(?P<s>[-/.])(?P<m2>\d{1,2})(?P=s)\d{1,2})"
)
_CROSS_YEAR = re.compile(
    r"(?P<y1>(?:19|20)\d{2})年(?P<m1>\d{1,2})月?"
    + _DASH
    + r"(?P<y2>(?:19|20)\d{2})年(?P<m2>\d{1,2})月"
)
_RANGE = re.compile(r"(?<!\d)(?P<m1>\d{1,2})月?" + _DASH + r"(?P<m2>\d{1,2})月")
# `2024年1-3`, `2024/1-3`, `2024_1-3月`: a month range joined to its year by 年 or a date's
# separator (- . /), or by an underscore with 月 after it (`yb2023_5-3` is a table number,
# not May to March).
_YEAR_RANGE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?:[-./年](?P<m1>\d{1,2})月?"
    + _DASH
    + r"(?P<m2>\d{1,2})(?!\d)|_(?P<n1>\d{1,2})月?"
    + _DASH
    + r"(?P<n2>\d{1,2})月)"
)
# `2024-03`, `2024.3`: never the start of a table number (`2023_5-3`)
_YEAR_MONTH = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[-./_](?P<m>\d{1,2})(?!\d)(?![-~至到—–―]+\d)"
)
_MONTH = re.compile(r"(?<!\d)(?P<m>\d{1,2})月")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_PERIOD_OPTION = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})$")
_COMPACT = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})$")
_ROC_MONTH = re.compile(r"^(?P<y>\d{2,3})(?P<m>\d{2})$")
#: the Republic of China calendar: ROC year 1 = 1912
_ROC_OFFSET = 1911
_CN_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
_CN_MONTH = re.compile(
    r"(?<![一二三四五六七八九十])(十[一二]?|[一二三四五六七八九])(?=月|" + _DASH + r")"
)


@dataclass(frozen=True)
class Clue:
    """What one piece of text says about the period.

    strong: the basis was said outright (a range, 累计, 当月/本月), not implied by a bare month.
    """

    text: str
    year: int | None = None
    month: int | None = None
    basis: str | None = None
    strong: bool = False
    range_start: int | None = None
    year_given_for_start: bool = False
    dated: tuple[int, int] | None = None  # a full date in the text (報出日期): (year, month)


@dataclass(frozen=True)
class Period:
    """The period a sheet reports: `YYYY-MM` (None when not found) and its basis."""

    period: str | None
    basis: str | None
    range_start: int | None = None
    source: str = ""


def _valid_month(m: int) -> bool:
    return 1 <= m <= 12


def arabic_numerals(text: str) -> str:
    """Chinese numerals of a year or month as digits: `二〇二三年十月` → `2023年10月`."""

    def year(m: re.Match[str]) -> str:
        return "".join(str(_CN_DIGITS[ch]) for ch in m[0])

    def month(m: re.Match[str]) -> str:
        word = m[0]
        if word.startswith("十"):
            return str(10 + (_CN_DIGITS[word[1]] if len(word) > 1 else 0))
        return str(_CN_DIGITS[word])

    return _CN_MONTH.sub(month, _CN_YEAR.sub(year, text))


def _full_date(text: str) -> tuple[int, int] | None:
    found = _FULL_DATE.search(text)
    if not found:
        return None
    month = int(found["m"] or found["m2"])
    return (int(found["y"]), month) if _valid_month(month) else None


def _words(key: str) -> tuple[str, ...]:
    return tuple(synonyms()["period"][key])


def read_clue(text: str) -> Clue:
    """Year, month and basis named in one piece of text."""
    text = arabic_numerals(re.sub(r"\s+", "", nfkc(text)))
    dated = _full_date(text)
    text = _FULL_DATE.sub("", text)
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    strong_basis = None
    if any(w in text for w in _words("ytd_words")):
        strong_basis = "ytd"
    elif any(w in text for w in _words("month_words")):
        strong_basis = "month"
    clue = _read_months(text, year, strong_basis)
    return Clue(**{**clue.__dict__, "dated": dated})


def _read_months(text: str, year: int | None, strong_basis: str | None) -> Clue:
    if (m := _CROSS_YEAR.search(text)) and _valid_month(int(m["m2"])):
        return Clue(text, int(m["y2"]), int(m["m2"]), "ytd", True, int(m["m1"]))
    if (m := _RANGE.search(text)) and _valid_month(int(m["m2"])) and _valid_month(int(m["m1"])):
        return Clue(text, year, int(m["m2"]), "ytd", True, int(m["m1"]), True)
    if m := _YEAR_RANGE.search(text):
        first, last = int(m["m1"] or m["n1"]), int(m["m2"] or m["n2"])
        if _valid_month(first) and _valid_month(last):
            return Clue(text, int(m["y"]), last, "ytd", True, first, True)
    if (m := _YEAR_MONTH.search(text)) and _valid_month(int(m["m"])):
        return Clue(text, int(m["y"]), int(m["m"]), strong_basis, strong_basis is not None)
    if (m := _MONTH.search(text)) and _valid_month(int(m["m"])):
        basis = strong_basis or "month"
        return Clue(text, year, int(m["m"]), basis, strong_basis is not None)
    return Clue(text, year, None, strong_basis, strong_basis is not None)


def find_period(sources: list[str]) -> Period:
    """The period of a sheet from its sources in order (title and preamble, sheet, file)."""
    clues = [read_clue(s) for s in sources if s]
    year = next((c.year for c in clues if c.year is not None), None)
    month_clue = next((c for c in clues if c.month is not None), None)
    dated = next((c.dated for c in clues if c.dated is not None), None)
    month = month_clue.month if month_clue is not None else None
    if year is None and dated is not None and month is not None:
        # only the report date gives a year: a December report sent in January is last year's
        year = dated[0] if month <= dated[1] else dated[0] - 1
    basis: str | None = None
    for clue in clues:
        if clue.strong:
            basis = clue.basis
            break
        if clue is month_clue:
            basis = clue.basis
            break
    if month_clue is None or month is None or year is None:
        return Period(None, basis)
    if month_clue.year is not None:
        year = month_clue.year
    start = month_clue.range_start
    if start is not None and month_clue.year_given_for_start and start > month:
        year += 1  # `2023年10-3月`: the year names the start of a wrapping range
    return Period(f"{year:04d}-{month:02d}", basis, start, month_clue.text)


def parse_period_option(value: str) -> str | None:
    """`YYYY-MM` as given on the command line, or None when it is not one."""
    m = _PERIOD_OPTION.match(value.strip())
    if not m or not _valid_month(int(m["m"])):
        return None
    return f"{m['y']}-{m['m']}"


def statistical_month(raw: object) -> str | None:
    """A statistical month as a cell holds it → `YYYY-MM`, or None.

    `2014-04`, `2014/4`, `2014年4月`, `201404`; the ROC calendar's `10307` (year 103 = 2014)
    and `9912` (year 99 = 2010; two-digit ROC years from 60).
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = re.sub(r"\s+", "", nfkc(str(raw)))
    for pattern, offset in ((_COMPACT, 0), (_ROC_MONTH, _ROC_OFFSET)):
        found = pattern.match(text)
        if not found or not _valid_month(int(found["m"])):
            continue
        year = int(found["y"]) + offset
        if offset and len(found["y"]) == 2 and int(found["y"]) < 60:
            continue
        return f"{year:04d}-{int(found['m']):02d}"
    clue = read_clue(text)
    if clue.year is not None and clue.month is not None and text == clue.text:
        return f"{clue.year:04d}-{clue.month:02d}"
    return None
