"""The sample county (青川县, fictional): its townships, its numbers and the workbooks it reports.

`generate()` draws two years of monthly figures per township from a fixed seed (the truth the
tests check against); `write_samples(outdir)` writes them in four layouts the loader must read:

(a) the county's ytd monthly report `青川县2025年1-M月人口计生统计月报表.xlsx` (M = 1…10):
    merged title, 填报单位 and 单位 lines, a three-row merged header, 全县 first, notes and
    signatures below, amounts in 元;
(b) `青川县2024年分月人口计生统计.xlsx`: one sheet per month (1月 … 12月) of single-month
    figures, a one-row header (一孩男 …), 合计 last, some numbers stored as text, a notes sheet;
(c) `青川县2024年1-12月出生情况统计.csv`: a GBK CSV export, year to date, 总计 last;
(d) `青川县2025年1-11月人口计生统计月报表(网报导出).xls`: an HTML table with rowspan and
    colspan as web systems export it, amounts in 万元.

Run `python -m zhibiao.samples OUTDIR`. Every file is byte-for-byte reproducible.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

SEED = 20251105
COUNTY = "青川县"
OFFICE = "青川县卫生健康局"
YEARS = (2024, 2025)
#: Months of 2025 with a monthly report in layout (a); layout (d) carries the month after.
REPORT_MONTHS_2025 = tuple(range(1, 11))
HTML_MONTH_2025 = 11
#: The fixed moment stamped into every workbook so the bytes never change between runs.
STAMP = (2025, 12, 5, 9, 0, 0)
STAMP_ISO = "2025-12-05T09:00:00Z"

#: Share of births by order (first, second, third and higher) and how out-of-policy risk
#: grows with the order (multiplied by the township's own level).
ORDER_SHARES = (0.46, 0.41, 0.13)
ORDER_RISK = (0.3, 1.0, 3.0)
#: Seasonality of births by calendar month (relative weights).
SEASON = (1.05, 0.85, 0.95, 0.92, 0.95, 0.98, 1.02, 1.06, 1.08, 1.12, 1.04, 0.98)
FIRST_MARRIAGE_RATE = 6.2  # ‰ of population a year
LATE_REPORTS_PER_10K = 0.35  # a month
LATE_OUT_OF_POLICY_SHARE = 0.3
FEE_DUE_YUAN = (20_000, 60_000, 100)  # low, high, step of one assessed fee


@dataclass(frozen=True)
class Township:
    """One township of the sample county and the tendencies its numbers are drawn from."""

    name: str
    population: int  # at the end of 2023
    birth_rate: float  # births per 1,000 people a year
    srb: float  # boys per 100 girls
    compliance: float  # share of births within policy
    fee_coverage: float  # share of persons due who pay
    fee_share: float  # share of the amount paid by those who pay
    growth: float  # population change over 2024


TOWNSHIPS: tuple[Township, ...] = (
    Township("城关镇", 61_200, 8.6, 110.0, 0.965, 0.93, 0.92, 0.004),
    Township("东湖街道", 52_400, 7.9, 105.5, 0.975, 0.95, 0.95, 0.009),
    Township("青溪镇", 47_800, 8.1, 104.8, 0.955, 0.92, 0.90, -0.002),
    Township("白河镇", 41_600, 8.3, 106.2, 0.950, 0.91, 0.88, -0.003),
    Township("南山街道", 37_900, 7.6, 104.5, 0.970, 0.94, 0.93, 0.006),
    Township("凤凰镇", 33_300, 9.0, 106.8, 0.860, 0.90, 0.85, -0.004),
    Township("马鞍镇", 29_700, 8.8, 125.0, 0.935, 0.90, 0.86, -0.005),
    Township("桃源镇", 26_900, 8.2, 105.9, 0.945, 0.91, 0.89, -0.004),
    Township("高桥镇", 24_800, 8.0, 104.2, 0.958, 0.92, 0.90, -0.006),
    Township("石门乡", 21_900, 8.4, 106.5, 0.940, 0.90, 0.87, -0.007),
    Township("双河乡", 18_300, 8.7, 124.0, 0.925, 0.89, 0.85, -0.008),
    Township("龙潭乡", 15_200, 7.8, 105.0, 0.950, 0.90, 0.88, -0.009),
    Township("金竹乡", 12_100, 7.5, 103.8, 0.960, 0.91, 0.90, -0.010),
    Township("茶坪乡", 10_600, 7.9, 106.0, 0.930, 0.48, 0.55, -0.011),
    Township("木鱼乡", 8_100, 5.0, 105.4, 0.950, 0.88, 0.86, -0.012),
)

#: Fields of one township-month, in the order the generator fills them.
MONTH_FIELDS = (
    "births",
    "births_male",
    "births_female",
    "births_o1_male",
    "births_o1_female",
    "births_o2_male",
    "births_o2_female",
    "births_o3_male",
    "births_o3_female",
    "out_of_policy_o1",
    "out_of_policy_o2",
    "out_of_policy_o3",
    "late_reports",
    "late_reports_out_of_policy",
    "first_marriages_female",
    "fee_persons_due",
    "fee_persons_paid",
    "fee_amount_due",
    "fee_amount_paid",
)


@dataclass
class County:
    """The generator's truth: single-month figures and year-end population per township.

    months[(year, month)][township][field] is an int (amounts in whole 元);
    population[year][township] is the population at the end of that year (2023 included).
    """

    name: str
    townships: list[str]
    months: dict[tuple[int, int], dict[str, dict[str, int]]] = field(default_factory=dict)
    population: dict[int, dict[str, int]] = field(default_factory=dict)

    def month(self, year: int, month: int, area: str | None = None) -> dict[str, int]:
        """One month of one township, or of the county (area None)."""
        areas = [area] if area else self.townships
        return _add([self.months[(year, month)][a] for a in areas])

    def ytd(self, year: int, month: int, area: str | None = None) -> dict[str, int]:
        """January through `month` of one township, or of the county (area None)."""
        return _add([self.month(year, m, area) for m in range(1, month + 1)])


def _add(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total = dict.fromkeys(MONTH_FIELDS, 0)
    for part in parts:
        for key in MONTH_FIELDS:
            total[key] += part[key]
    return total


def generate(seed: int = SEED) -> County:
    """Draw every township-month of 2024 and 2025 from `seed` (same seed, same county).

    Birth counts are Poisson; the sex of each birth, out-of-policy births and the persons who
    pay are spread with a running remainder, so each township's year-to-date ratios stay close
    to its tendency (the high sex ratios are real, not noise) while single months vary.
    """
    rng = np.random.default_rng(seed)
    county = County(COUNTY, [t.name for t in TOWNSHIPS])
    county.population[2023] = {t.name: t.population for t in TOWNSHIPS}
    county.population[2024] = {
        t.name: round(t.population * (1 + t.growth) + rng.integers(-40, 41)) for t in TOWNSHIPS
    }
    weights = np.array(SEASON) / sum(SEASON)
    carries: dict[str, dict[str, float]] = {t.name: {} for t in TOWNSHIPS}
    for year in YEARS:
        for month in range(1, 13):
            county.months[(year, month)] = {
                t.name: _draw_month(
                    rng,
                    t,
                    county.population[year - 1][t.name],
                    float(weights[month - 1]),
                    carries[t.name],
                )
                for t in TOWNSHIPS
            }
    return county


def _spread(carry: dict[str, float], key: str, n: int, share: float) -> int:
    """round(n × share), carrying the remainder to the next draw of the same key."""
    exact = n * share + carry.get(key, 0.0)
    whole = min(n, max(0, int(np.floor(exact + 0.5))))
    carry[key] = exact - whole
    return whole


def _draw_month(
    rng: np.random.Generator,
    t: Township,
    population: int,
    weight: float,
    carry: dict[str, float],
) -> dict[str, int]:
    births = int(rng.poisson(population * t.birth_rate / 1000 * weight))
    male = _spread(carry, "male", births, t.srb / (100 + t.srb))
    female = births - male
    boys = rng.multinomial(male, ORDER_SHARES)
    girls = rng.multinomial(female, ORDER_SHARES)
    level = (1 - t.compliance) / float(np.dot(ORDER_SHARES, ORDER_RISK))
    oop = [
        _spread(carry, f"oop{i}", int(boys[i] + girls[i]), min(0.95, level * ORDER_RISK[i]))
        for i in range(3)
    ]
    late = int(rng.poisson(population / 10_000 * LATE_REPORTS_PER_10K))
    late_oop = int(rng.binomial(late, LATE_OUT_OF_POLICY_SHARE))
    marriages = int(rng.poisson(population * FIRST_MARRIAGE_RATE / 1000 / 12))
    due_persons = sum(oop) + late_oop
    low, high, step = FEE_DUE_YUAN
    assessed = [int(rng.integers(low // step, high // step + 1)) * step for _ in range(due_persons)]
    payers = _spread(carry, "payers", due_persons, t.fee_coverage)
    paid_amount = sum(
        int(round(a * min(1.0, t.fee_share + rng.uniform(-0.1, 0.1)))) for a in assessed[:payers]
    )
    return {
        "births": births,
        "births_male": male,
        "births_female": female,
        "births_o1_male": int(boys[0]),
        "births_o1_female": int(girls[0]),
        "births_o2_male": int(boys[1]),
        "births_o2_female": int(girls[1]),
        "births_o3_male": int(boys[2]),
        "births_o3_female": int(girls[2]),
        "out_of_policy_o1": oop[0],
        "out_of_policy_o2": oop[1],
        "out_of_policy_o3": oop[2],
        "late_reports": late,
        "late_reports_out_of_policy": late_oop,
        "first_marriages_female": marriages,
        "fee_persons_due": due_persons,
        "fee_persons_paid": payers,
        "fee_amount_due": sum(assessed),
        "fee_amount_paid": paid_amount,
    }


# -- shared helpers --------------------------------------------------------------------------


def _compliance(row: dict[str, int]) -> float | None:
    """政策符合率(%) as the form computes it, rounded half up to 2 decimals."""
    if not row["births"]:
        return None
    oop = row["out_of_policy_o1"] + row["out_of_policy_o2"] + row["out_of_policy_o3"]
    exact = Decimal(row["births"] - oop) * 100 / Decimal(row["births"])
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _wan(yuan: int) -> float:
    """元 → 万元, exact to the yuan (4 decimals)."""
    return float(Decimal(yuan) / 10_000)


def _stable_xlsx(wb: Workbook) -> bytes:
    """The workbook's bytes with fixed timestamps, so the same numbers give the same file."""
    wb.properties.creator = OFFICE
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            data = src.read(name)
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rf"\g<1>{STAMP_ISO}\g<3>",
                    text,
                )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    return out.getvalue()


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _put(ws: Worksheet, row: int, col: int, value: object, *, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.border = BOX
    if bold:
        cell.font = Font(bold=True)


def _span(ws: Worksheet, r0: int, c0: int, r1: int, c1: int, label: str) -> None:
    """A header label over rows r0..r1 and columns c0..c1 (1-based, inclusive)."""
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            ws.cell(row=r, column=c).border = BOX
    ws.cell(row=r0, column=c0, value=label).alignment = CENTRE
    ws.cell(row=r0, column=c0).font = Font(bold=True)
    if (r0, c0) != (r1, c1):
        ws.merge_cells(start_row=r0, start_column=c0, end_row=r1, end_column=c1)


# -- (a) the county's monthly ytd report -----------------------------------------------------

#: Layout (a): header spans (row0, col0, row1, col1, label) over rows 4-6, 1-based columns.
REPORT_HEADER = (
    (4, 1, 6, 1, "乡镇"),
    (4, 2, 4, 4, "出生"),
    (5, 2, 6, 2, "出生数"),
    (5, 3, 6, 3, "男"),
    (5, 4, 6, 4, "女"),
    (4, 5, 4, 10, "按孩次分"),
    (5, 5, 5, 6, "第一孩"),
    (5, 7, 5, 8, "第二孩"),
    (5, 9, 5, 10, "多孩"),
    (6, 5, 6, 5, "男"),
    (6, 6, 6, 6, "女"),
    (6, 7, 6, 7, "男"),
    (6, 8, 6, 8, "女"),
    (6, 9, 6, 9, "男"),
    (6, 10, 6, 10, "女"),
    (4, 11, 4, 13, "不符合政策生育"),
    (5, 11, 6, 11, "一孩"),
    (5, 12, 6, 12, "二孩"),
    (5, 13, 6, 13, "多孩"),
    (4, 14, 6, 14, "政策符合率(%)"),
    (4, 15, 4, 16, "补报往年出生"),
    (5, 15, 6, 15, "小计"),
    (5, 16, 6, 16, "其中政策外"),
    (4, 17, 6, 17, "女性初婚人数"),
    (4, 18, 6, 18, "年末总人口"),
    (4, 19, 4, 22, "社会抚养费"),
    (5, 19, 5, 20, "征收人数"),
    (5, 21, 5, 22, "征收金额(元)"),
    (6, 19, 6, 19, "应缴"),
    (6, 20, 6, 20, "实缴"),
    (6, 21, 6, 21, "应缴"),
    (6, 22, 6, 22, "实缴"),
)
#: Layout (a): the field of each data column from B on (None: the derived 政策符合率).
REPORT_COLUMNS = (
    "births",
    "births_male",
    "births_female",
    "births_o1_male",
    "births_o1_female",
    "births_o2_male",
    "births_o2_female",
    "births_o3_male",
    "births_o3_female",
    "out_of_policy_o1",
    "out_of_policy_o2",
    "out_of_policy_o3",
    None,
    "late_reports",
    "late_reports_out_of_policy",
    "first_marriages_female",
    "population",
    "fee_persons_due",
    "fee_persons_paid",
    "fee_amount_due",
    "fee_amount_paid",
)


def report_name(year: int, month: int) -> str:
    """File name of the county's ytd monthly report (layout a)."""
    return f"{COUNTY}{year}年1-{month}月人口计生统计月报表.xlsx"


def _report_row(county: County, year: int, month: int, area: str | None) -> list[object]:
    row: dict[str, object] = dict(county.ytd(year, month, area))
    pop = county.population[year - 1]
    row["population"] = pop[area] if area else sum(pop.values())
    cells: list[object] = []
    for name in REPORT_COLUMNS:
        cells.append(_compliance(county.ytd(year, month, area)) if name is None else row[name])
    return cells


def write_report(county: County, year: int, month: int, out: Path) -> Path:
    """Layout (a): the ytd report of January through `month` of `year`."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"1-{month}月"
    width = 1 + len(REPORT_COLUMNS)
    ws.cell(row=1, column=1, value=f"{COUNTY}{year}年1-{month}月人口计生统计月报表")
    ws.cell(row=1, column=1).font = Font(bold=True, size=16)
    ws.cell(row=1, column=1).alignment = CENTRE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=2, column=1, value=f"填报单位(盖章):{OFFICE}")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=8)
    ws.cell(row=3, column=1, value="单位:人、元")
    for r0, c0, r1, c1, label in REPORT_HEADER:
        _span(ws, r0, c0, r1, c1, label)
    areas: list[str | None] = [None, *county.townships]
    for i, area in enumerate(areas):
        r = 7 + i
        _put(ws, r, 1, area or "全县", bold=area is None)
        for j, value in enumerate(_report_row(county, year, month, area)):
            _put(ws, r, 2 + j, value, bold=area is None)
            if REPORT_COLUMNS[j] is None:
                ws.cell(row=r, column=2 + j).number_format = "0.00"
    end = 7 + len(areas)
    ws.cell(
        row=end + 1,
        column=1,
        value="注:1.本表为累计数;2.政策符合率=(出生数-不符合政策生育数)÷出生数×100。",
    )
    ws.cell(
        row=end + 2,
        column=1,
        value=f"单位负责人:李建国    审核人:张秀英    填报人:王芳    报出日期:{year}年{month + 1}月5日"
        if month < 12
        else "单位负责人:李建国    审核人:张秀英    填报人:王芳",
    )
    ws.column_dimensions["A"].width = 12
    for c in range(2, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 8
    ws.freeze_panes = "B7"
    path = out / report_name(year, month)
    path.write_bytes(_stable_xlsx(wb))
    return path


# -- (b) one sheet per month, single-month figures -------------------------------------------

#: Layout (b): one-row header labels and their fields.
MONTHLY_COLUMNS = (
    ("出生人数", "births"),
    ("男", "births_male"),
    ("女", "births_female"),
    ("一孩男", "births_o1_male"),
    ("一孩女", "births_o1_female"),
    ("二孩男", "births_o2_male"),
    ("二孩女", "births_o2_female"),
    ("多孩男", "births_o3_male"),
    ("多孩女", "births_o3_female"),
    ("一孩政策外", "out_of_policy_o1"),
    ("二孩政策外", "out_of_policy_o2"),
    ("多孩政策外", "out_of_policy_o3"),
    ("补报往年出生", "late_reports"),
    ("女性初婚人数", "first_marriages_female"),
    ("户籍人口", "population"),
    ("社会抚养费应征人数", "fee_persons_due"),
    ("社会抚养费已征人数", "fee_persons_paid"),
    ("社会抚养费应征金额(元)", "fee_amount_due"),
    ("社会抚养费已征金额(元)", "fee_amount_paid"),
)
MONTHLY_NAME = f"{COUNTY}2024年分月人口计生统计.xlsx"
#: Layout (b): every n-th data cell is stored as text, as hand-filled sheets often are.
TEXT_EVERY = 7


def write_monthly(county: County, year: int, out: Path) -> Path:
    """Layout (b): one sheet per month of `year`, single-month figures, 合计 last."""
    wb = Workbook()
    wb.remove(wb.active)
    pop = county.population[year - 1]
    for month in range(1, 13):
        ws = wb.create_sheet(f"{month}月")
        ws.cell(row=1, column=1, value=f"{COUNTY}{year}年{month}月人口计生统计表")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=1 + len(MONTHLY_COLUMNS))
        ws.cell(row=2, column=1, value="单位：人、元")
        _put(ws, 3, 1, "乡镇名称", bold=True)
        for j, (label, _) in enumerate(MONTHLY_COLUMNS):
            _put(ws, 3, 2 + j, label, bold=True)
        areas: list[str | None] = [*county.townships, None]
        for i, area in enumerate(areas):
            r = 4 + i
            row: dict[str, int] = dict(county.month(year, month, area))
            row["population"] = pop[area] if area else sum(pop.values())
            _put(ws, r, 1, area or "合计", bold=area is None)
            for j, (_, name) in enumerate(MONTHLY_COLUMNS):
                value: object = row[name]
                if area and (r * 31 + j) % TEXT_EVERY == 0:
                    value = str(value)
                _put(ws, r, 2 + j, value)
        ws.column_dimensions["A"].width = 12
    notes = wb.create_sheet("填报说明")
    notes["A1"] = "填报说明"
    notes["A2"] = "1.本表按月填报当月发生数,不含往月累计。"
    notes["A3"] = "2.户籍人口为上年末数。"
    path = out / MONTHLY_NAME
    path.write_bytes(_stable_xlsx(wb))
    return path


# -- (c) a GBK CSV export, year to date ------------------------------------------------------

CSV_COLUMNS = (
    ("出生人数", "births"),
    ("男孩", "births_male"),
    ("女孩", "births_female"),
    ("一孩", "births_o1"),
    ("二孩", "births_o2"),
    ("三孩及以上", "births_o3"),
    ("政策外出生", "out_of_policy"),
    ("户籍人口", "population"),
)


def csv_name(year: int, month: int) -> str:
    return f"{COUNTY}{year}年1-{month}月出生情况统计.csv"


def _with_totals(row: dict[str, int]) -> dict[str, int]:
    out = dict(row)
    for order in (1, 2, 3):
        out[f"births_o{order}"] = row[f"births_o{order}_male"] + row[f"births_o{order}_female"]
    out["out_of_policy"] = (
        row["out_of_policy_o1"] + row["out_of_policy_o2"] + row["out_of_policy_o3"]
    )
    return out


def write_csv(county: County, year: int, month: int, out: Path) -> Path:
    """Layout (c): a GBK CSV of January through `month`, 总计 last."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([f"{COUNTY}{year}年1-{month}月出生情况统计(系统导出)"])
    writer.writerow(["地区", *[label for label, _ in CSV_COLUMNS]])
    pop = county.population[year - 1]
    for area in [*county.townships, None]:
        row: dict[str, int] = _with_totals(county.ytd(year, month, area))
        row["population"] = pop[area] if area else sum(pop.values())
        writer.writerow([area or "总计", *[row[name] for _, name in CSV_COLUMNS]])
    path = out / csv_name(year, month)
    path.write_bytes(text.getvalue().encode("gbk"))
    return path


# -- (d) an HTML table saved as .xls ---------------------------------------------------------

#: Layout (d): two header rows as (label, rowspan, colspan); the second row fills the spans.
HTML_HEADER = (
    (
        ("乡(镇)", 2, 1),
        ("出生人数", 1, 3),
        ("一孩", 1, 2),
        ("二孩", 1, 2),
        ("三孩及以上", 1, 2),
        ("政策外出生", 1, 3),
        ("补报往年出生", 2, 1),
        ("女性初婚人数", 2, 1),
        ("期末人口总数", 2, 1),
        ("社会抚养费征收人数", 1, 2),
        ("社会抚养费征收金额(万元)", 1, 2),
    ),
    (
        ("合计", 1, 1),
        ("男", 1, 1),
        ("女", 1, 1),
        ("男", 1, 1),
        ("女", 1, 1),
        ("男", 1, 1),
        ("女", 1, 1),
        ("男", 1, 1),
        ("女", 1, 1),
        ("一孩", 1, 1),
        ("二孩", 1, 1),
        ("三孩及以上", 1, 1),
        ("应征", 1, 1),
        ("已征", 1, 1),
        ("应征", 1, 1),
        ("已征", 1, 1),
    ),
)
HTML_FIELDS = (
    "births",
    "births_male",
    "births_female",
    "births_o1_male",
    "births_o1_female",
    "births_o2_male",
    "births_o2_female",
    "births_o3_male",
    "births_o3_female",
    "out_of_policy_o1",
    "out_of_policy_o2",
    "out_of_policy_o3",
    "late_reports",
    "first_marriages_female",
    "population",
    "fee_persons_due",
    "fee_persons_paid",
    "fee_amount_due",
    "fee_amount_paid",
)


def html_name(year: int, month: int) -> str:
    return f"{COUNTY}{year}年1-{month}月人口计生统计月报表(网报导出).xls"


def write_html(county: County, year: int, month: int, out: Path) -> Path:
    """Layout (d): the ytd report as a web system exports it (HTML under an .xls name)."""
    pop = county.population[year - 1]
    lines = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        "</head><body>",
        '<table border="1" cellspacing="0">',
        f'<tr><td colspan="{1 + len(HTML_FIELDS)}">'
        f"{COUNTY}{year}年1-{month}月人口计生统计月报表</td></tr>",
        f'<tr><td colspan="{1 + len(HTML_FIELDS)}">填报单位:{OFFICE}</td></tr>',
    ]
    for header_row in HTML_HEADER:
        cells = "".join(
            f'<td rowspan="{rs}" colspan="{cs}">{escape(label)}</td>'
            for label, rs, cs in header_row
        )
        lines.append(f"<tr>{cells}</tr>")
    for area in [None, *county.townships]:
        counts = county.ytd(year, month, area)
        row: dict[str, object] = dict(counts)
        row["population"] = pop[area] if area else sum(pop.values())
        row["fee_amount_due"] = f"{_wan(counts['fee_amount_due']):.4f}"
        row["fee_amount_paid"] = f"{_wan(counts['fee_amount_paid']):.4f}"
        cells = "".join(f"<td>{row[name]}</td>" for name in HTML_FIELDS)
        lines.append(f"<tr><td>{escape(area or '全县合计')}</td>{cells}</tr>")
    lines += ["</table>", "</body></html>", ""]
    path = out / html_name(year, month)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path


# -- all of them -----------------------------------------------------------------------------


def write_samples(outdir: str | Path, seed: int = SEED) -> list[Path]:
    """Write every sample workbook of the county into `outdir`; return their paths, oldest first."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    county = generate(seed)
    paths = [write_monthly(county, 2024, out), write_csv(county, 2024, 12, out)]
    paths += [write_report(county, 2025, m, out) for m in REPORT_MONTHS_2025]
    paths.append(write_html(county, 2025, HTML_MONTH_2025, out))
    return paths


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0]) if args else Path("samples")
    for path in write_samples(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
