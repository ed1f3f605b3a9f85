"""Fixtures that reproduce the layouts of the six real files issue 9 names (../shared/real):
written here, cell by cell, never copied from them. The loader tests read them one feature at
a time; tests/test_upload_real_layouts.py sends each through `zhibiao ingest` and the upload
page. Every figure a test asserts is written in these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlwt
from workbooks import write_csv, write_xlsx

N = None


def write_xls(
    path: Path, rows: list[list[Any]], merges: tuple[tuple[int, int, int, int], ...] = ()
) -> Path:
    """A legacy .xls (BIFF8, xlwt) from rows (None = empty); merges (r0, r1, c0, c1) 0-based."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    merged = {(r0, c0) for r0, _, c0, _ in merges}
    for r0, r1, c0, c1 in merges:
        sheet.write_merge(r0, r1, c0, c1, rows[r0][c0])
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None and (r, c) not in merged:
                sheet.write(r, c, v)
    book.save(str(path))
    return path


#: tw_bdmd (household-register births at village grain): UTF-8 with BOM, Traditional Chinese,
#: the statistical month 10307 (2014-07), a trailing comma on every line.
BDMD = [
    [
        "統計年月",
        "區域別",
        "村里",
        "出生數",
        "出生數-男",
        "出生數-女",
        "死亡數",
        "死亡數-男",
        "死亡數-女",
        "結婚對數",
        "離婚對數",
        "",
    ],
    ["10307", "連江縣南竿鄉", "仁愛村", "1", "0", "1", "1", "1", "0", "0", "0", ""],
    ["10307", "連江縣南竿鄉", "介壽村", "3", "2", "1", "2", "1", "1", "0", "0", ""],
    ["10307", "連江縣南竿鄉", "復興村", "0", "0", "0", "0", "0", "0", "1", "0", ""],
    ["10307", "連江縣北竿鄉", "坂里村", "2", "1", "1", "0", "0", "0", "0", "0", ""],
    ["10307", "連江縣北竿鄉", "介壽村", "4", "3", "1", "5", "3", "2", "2", "1", ""],
    ["10307", "新北市板橋區", "留侯里", "6", "2", "4", "3", "2", "1", "1", "0", ""],
]

#: tw_city (population by township): each county's row (5-digit code) right above its
#: townships (7-digit codes), the statistical month 2014-04.
CITY = [
    ["統計年月", "代碼", "區域", "戶數", "人口數", "人口數-男", "人口數-女"],
    ["2014-04", "09007", "連江縣", "30", "100", "55", "45"],
    ["2014-04", "0900701", "連江縣南竿鄉", "20", "60", "33", "27"],
    ["2014-04", "0900702", "連江縣北竿鄉", "10", "40", "22", "18"],
    ["2014-04", "68000", "桃園市", "50", "330", "160", "170"],
    ["2014-04", "6800100", "桃園市桃園區", "10", "100", "50", "50"],
    ["2014-04", "6801000", "桃園市平鎮區", "20", "130", "60", "70"],
    ["2014-04", "6801100", "桃園市新屋區", "20", "100", "50", "50"],
]

#: census table 1-1: pinyin names, the 家庭户/集体户 blocks under 人口数, no period in the file.
CENSUS = [
    ["1-1  各地区户数、人口数和性别比", N, N, N, N, N, N, N, N, N, N],
    ["单位：户、人", N, N, N, N, N, N, N, N, N, N],
    ["地    区", "户数", "人口数", N, N, N, N, N, N, N, "平均家庭"],
    [N, "合计", "合计", N, N, N, "家庭户", N, "集体户", N, "户规模"],
    [N, N, "合计", "男", "女", "性别比", "小计", "男", "小计", "男", N],
    [N, N, N, N, N, "(女=100)", N, N, N, N, "(人/户)"],
    ["beijing", 40, 100, 52, 48, 108.33, 90, 47, 10, 5, 2.5],
    ["tianjin", 50, 200, 101, 99, 102.02, 180, 91, 20, 10, 4.0],
]
CENSUS_MERGES = ("C3:J3", "C4:F4", "G4:H4", "I4:J4")

#: yearbook table 5-3: a bilingual five-row header with units, spacer rows after the total and
#: between groups, 海南's numbers on the row below its label, no year in the file.
YEARBOOK = [
    ["5-3  各地区县总户数、总人口", N, N, N, N, N],
    ["Households and Population in Counties by Region", N, N, N, N, N],
    [N, N, N, N, N, N],
    ["地  区", "Region", "总户数", "总人口", N, N],
    [N, N, "(户)", "(人)", "男", "女"],
    [N, N, "Number of Households", "Total Population", "Male", "Female"],
    ["   ", N, N, N, N, N],
    ["全  国", "  National Total", 410, 1500, 780, 720],
    ["     ", "  ", N, N, N, N],
    ["河  北", "  Hebei", 100, 400, 210, 190],
    ["山  西", "  Shanxi", 90, 300, 150, 150],
    ["     ", "  ", N, N, N, N],
    ["辽  宁", "  Liaoning", 120, 500, 260, 240],
    ["海  南", "  Hainan", N, N, N, N],
    ["     ", "  ", 100, 300, 160, 140],
    ["     ", "  ", N, N, N, N],
]
YEARBOOK_MERGES = ((3, 3, 3, 5),)

#: yearbook table 1-7: rates (‰) by province, the years across the columns: out of scope.
RATES = [
    ["1-7  各地区人口出生率、死亡率和自然增长率", N, N, N, N, N, N, N],
    ["单位：‰", N, N, N, N, N, N, N],
    ["地  区", "Region", 1990, N, 1991, N, 1992, N],
    [N, N, "出生率", "死亡率", "出生率", "死亡率", "出生率", "死亡率"],
    ["全  国", "National Total", 21.06, 6.67, 19.68, 6.7, 18.24, 6.64],
    [N, N, N, N, N, N, N, N],
    ["北  京", "Beijing", 13.01, 5.81, 8.03, 5.82, 9.22, 6.11],
]
RATES_MERGES = ("C3:D3", "E3:F3", "G3:H3")

#: yearbook table 2-40: births by the mother's age (rows are ages, not areas): out of scope.
AGES = [
    ["2-40  全国育龄妇女分年龄、孩次的生育状况", N, N, N, N],
    ["年  龄\n\nAge", "平均育龄妇女人数(人)", "出生人数", N, N],
    [N, N, "(人)", "一孩", "二孩"],
    ["总计  Total", 3000, 90, 50, 40],
    [N, N, N, N, N],
    ["15-19", 1000, 10, 9, 1],
    [15, 200, 1, 1, 0],
    [16, 200, 2, 2, 0],
    [17, 200, 2, 2, 0],
    [18, 200, 2, 1, 1],
    [19, 200, 3, 3, 0],
]
AGES_MERGES = ((1, 2, 0, 0), (1, 1, 2, 4))


@dataclass(frozen=True)
class RealLayout:
    """One fixture file: its name (the suffix says how it is written), rows and merges (A1
    ranges for .xlsx, (r0, r1, c0, c1) for .xls)."""

    name: str
    rows: list[list[Any]]
    merges: tuple[Any, ...] = ()

    def write(self, folder: Path) -> Path:
        path = Path(folder) / self.name
        if path.suffix == ".csv":
            return write_csv(path, self.rows, "utf-8-sig")
        if path.suffix == ".xls":
            return write_xls(path, self.rows, self.merges)
        return write_xlsx(path, self.rows, self.merges)


#: The six layouts, as files named after the real ones' families.
REAL_LAYOUTS = {
    "bdmd": RealLayout("tw_bdmd_201407.csv", BDMD),
    "city": RealLayout("tw_city_201404.csv", CITY),
    "census": RealLayout("census2010_a0101a.xlsx", CENSUS, CENSUS_MERGES),
    "yearbook": RealLayout("yb2023_5-3.xls", YEARBOOK, YEARBOOK_MERGES),
    "rates": RealLayout("yb2023_1-7.xlsx", RATES, RATES_MERGES),
    "ages": RealLayout("yb2023_2-40.xls", AGES, AGES_MERGES),
}
