"""The loader's small steps: cell coercion, label normalisation, header paths, periods, county."""

from __future__ import annotations

import pytest

from loaders.cells import coerce_number, normalise_label
from loaders.header import is_column_number_row, read_table
from loaders.period import find_period, parse_period_option, read_clue
from loaders.resolve import resolve_path
from loaders.table import county_from_text, is_total_label, unit_of_lines
from loaders.types import Grid


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        (120, "number", 120.0),
        (96.43, "number", 96.43),
        ("120", "text_number", 120.0),
        ("１２０", "text_number", 120.0),
        (" 1,234 ", "text_number", 1234.0),
        ("1，234", "text_number", 1234.0),
        ("12 345", "text_number", 12345.0),
        ("96.4%", "percent", 96.4),
        ("-3", "text_number", -3.0),
        (None, "blank", 0.0),
        ("", "blank", 0.0),
        ("\u3000", "blank", 0.0),
        ("—", "zero_mark", 0.0),
        ("-", "zero_mark", 0.0),
        ("－", "zero_mark", 0.0),
        ("/", "zero_mark", 0.0),
        ("无", "zero_mark", 0.0),
        ("abc", "text", None),
        ("1,23", "text", None),
        (True, "text", None),
    ],
)
def test_coerce_number(raw, kind, value):
    got = coerce_number(raw)
    assert (got.kind, got.value) == (kind, value)


def test_decimals_shown():
    assert coerce_number(96.43).decimals == 2
    assert coerce_number(100.0).decimals == 0
    assert coerce_number("96.4%").decimals == 1


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("地　　区", "地区"),
        ("本　期　出　生　人　数", "本期出生人数"),
        ("男（2）", "男"),
        ("女(3)", "女"),
        ("年末总人口⑤", "年末总人口"),
        ("乡（镇）", "乡(镇)"),
        ("政策符合率（%）", "政策符合率(%)"),
        ("金额（万元）", "金额(万元)"),
        ("其中：", "其中"),
        (2024.0, "2024"),
    ],
)
def test_normalise_label(raw, label):
    assert normalise_label(raw) == label


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("出生/出生数", "births"),
        ("出生人数", "births"),
        ("出生合计", "births"),
        ("出生/合计", "births"),
        ("其中男", "births_male"),
        ("男孩", "births_male"),
        ("男（2）", "births_male"),
        ("按孩次分/第一孩/男", "births_o1_male"),
        ("一孩男", "births_o1_male"),
        ("三孩及以上女", "births_o3_female"),
        ("不符合政策生育/一孩", "out_of_policy_o1"),
        ("政策外出生", "out_of_policy"),
        ("计划外", "out_of_policy"),
        ("违法生育", "out_of_policy"),
        ("一孩/其中:计划内", "in_policy_o1"),
        ("补报往年出生/小计", "late_reports"),
        ("补报往年出生/其中政策外", "late_reports_out_of_policy"),
        ("女性初婚人数", "first_marriages_female"),
        ("初婚(女)", "first_marriages_female"),
        ("户籍人口", "population"),
        ("年末总人口", "population"),
        ("期末人口总数", "population"),
        ("社会抚养费/征收人数/应缴", "fee_persons_due"),
        ("社会抚养费征收/金额(万元)/已征", "fee_amount_paid"),
        ("征收金额(元)/实缴", "fee_amount_paid"),
        ("性别比", "srb"),
        ("政策符合率(%)", "compliance"),
        ("性别 / 男孩", "births_male"),
        ("男女合计", "births"),
        ("流动人口登记", None),
        ("不符合政策生育/一孩/男", None),
    ],
)
def test_header_paths_resolve(path, field):
    assert resolve_path([p.strip() for p in path.split("/")]) == field


def test_qizhong_refines_the_block_before_it():
    grid = Grid(
        "S",
        [
            [
                "乡镇",
                "出生人数",
                "其中男",
                "其中女",
                "补报往年出生",
                "其中政策外",
                "不符合政策生育",
                "其中二孩",
            ],
            ["城关镇", 10, 6, 4, 2, 1, 3, 2],
        ],
    )
    from loaders.resolve import resolve_columns

    table = read_table(grid)
    assert table is not None
    fields = [r.field for r in resolve_columns([c.path for c in table.columns])]
    assert fields == [
        "births",
        "births_male",
        "births_female",
        "late_reports",
        "late_reports_out_of_policy",
        "out_of_policy",
        "out_of_policy_o2",
    ]


def test_header_band_merges_filled_across_and_down():
    grid = Grid(
        "S",
        [
            ["示例县2024年1-3月统计表", None, None, None],
            ["单位:人", None, None, None],
            ["乡镇名称", "出生", None, None],
            [None, "出生数", "男性", "女性"],
            ["甲", 1, 2, 3],
            ["城关镇", 10, 6, 4],
            ["河口镇", 8, 4, 4],
            [None, None, None, None],
            ["注:含政策外", None, None, None],
        ],
        merges=[(0, 0, 0, 3), (2, 0, 3, 0), (2, 1, 2, 3)],
    )
    table = read_table(grid)
    assert table is not None
    assert (table.area_col, table.area_cell, table.header_rows, table.data_rows) == (
        0,
        "A3",
        [2, 3],
        [5, 6],
    )
    assert [(c.path, c.cell) for c in table.columns] == [
        (["出生", "出生数"], "B4"),
        (["出生", "男性"], "C4"),
        (["出生", "女性"], "D4"),
    ]
    assert table.preamble == ["示例县2024年1-3月统计表", "单位:人"]
    assert table.notes == ["注:含政策外"]


def test_group_labels_above_an_unmerged_area_label():
    grid = Grid(
        "S",
        [
            ["2024年3月出生统计", None, None],
            [None, "出生人数", None],
            ["乡镇", "男", "女"],
            ["城关镇", 6, 4],
        ],
        merges=[(1, 1, 1, 2)],
    )
    table = read_table(grid)
    assert table is not None and table.header_rows == [1, 2]
    assert [c.path for c in table.columns] == [["出生人数", "男"], ["出生人数", "女"]]


def test_a_unit_word_in_the_preamble_is_not_the_area_column():
    grid = Grid(
        "S",
        [["标题", None, "单位", "人"], ["地区", "出生人数", None, None], ["城关镇", 5, None, None]],
    )
    table = read_table(grid)
    assert table is not None and table.area_cell == "A2"


def test_column_number_rows():
    assert is_column_number_row(["甲", 1, 2, 3])
    assert is_column_number_row(["甲", "乙", "1", "2"])
    assert is_column_number_row(["栏次", "(1)", "(2)"])
    assert not is_column_number_row(["城关镇", 1, 2, 3])
    assert not is_column_number_row([None, 5, None])


@pytest.mark.parametrize(
    ("sources", "period", "basis"),
    [
        (["示例县2024年1-3月人口计生统计月报表"], "2024-03", "ytd"),
        (["2024年3月 出生人口统计(累计)"], "2024-03", "ytd"),
        (["2024年3月各乡镇出生统计"], "2024-03", "month"),
        (["出生统计", "3月", "2024年分月出生统计"], "2024-03", "month"),
        (["人口计生统计月报表", "2013年1-10月", "Sheet1"], "2013-10", "ytd"),
        (["出生统计 报出日期:2024年4月3日", "Sheet1", "2024年1-3月.xlsx"], "2024-03", "ytd"),
        (["出生统计", "Sheet1", "births_2024-06"], "2024-06", None),
        (["2023年10月至2024年3月累计"], "2024-03", "ytd"),
        (["2023年10-3月出生统计"], "2024-03", "ytd"),
        (["当月出生统计", "5月", "2024"], "2024-05", "month"),
        (["出生统计", "Sheet1", "births"], None, None),
    ],
)
def test_find_period(sources, period, basis):
    found = find_period(sources)
    assert (found.period, found.basis) == (period, basis)


def test_range_start_is_kept_for_the_year_start_check():
    assert read_clue("2024年4-6月").range_start == 4


def test_parse_period_option():
    assert parse_period_option("2024-03") == "2024-03"
    assert parse_period_option("2024-13") is None
    assert parse_period_option("2024-3") is None


@pytest.mark.parametrize(
    ("text", "county"),
    [
        ("示例县2024年1-3月人口计生统计月报表", "示例县"),
        ("某某市示例县2024年1-3月统计", "示例县"),
        ("青山区 2024年3月", "青山区"),
        ("2024年3月出生统计", None),
        ("示例县出生统计", None),
    ],
)
def test_county_from_text(text, county):
    assert county_from_text(text) == county


def test_total_labels():
    assert is_total_label("合计", None)
    assert is_total_label("全县合计", None)
    assert is_total_label("总　计", None)
    assert is_total_label("示例县", "示例县")
    assert is_total_label("示例县合计", None)
    assert not is_total_label("城关镇", "示例县")
    assert not is_total_label("经济开发区", None)


def test_unit_lines():
    assert unit_of_lines(["报送单位:示例县卫生健康局 单位:人、元"]) == "yuan"
    assert unit_of_lines(["单位：万元"]) == "wan"
    assert unit_of_lines(["填报单位(盖章):示例县"]) == ""
    assert unit_of_lines(["注:金额单位为元。"]) == "yuan"


def _rows_one_by_one(rows, total, file, sheet):
    """check_rows as it was written before it went through every row at once: the oracle."""
    from loaders.rules import check_total, derive_totals
    from loaders.table import Record, row_findings

    records, findings = [], []
    for basis in sorted({b for row in rows for b in row.figures}):
        areas = []
        for i, row in enumerate(rows):
            full, found = row_findings(row, basis, file, sheet)
            findings += found
            if i != total:
                areas.append((row.area, full))
            for name, fig in full.items():
                records.append(
                    Record(
                        row.area,
                        i == total,
                        name,
                        fig.value,
                        fig.cell,
                        i,
                        basis or None,
                        row.parent,
                    )
                )
        if total is not None:
            full = derive_totals(rows[total].figures.get(basis, {}))
            findings += check_total(full, rows[total].area, areas, file=file, sheet=sheet)
    return records, findings


def test_check_rows_at_once_finds_what_row_by_row_finds():
    """200 townships with blocks to derive, broken sums, wrong shown ratios and fractional
    amounts: the same records and findings, in the same order, as going row by row."""
    import random

    from loaders.rules import Figure
    from loaders.table import DataRow, check_rows

    rng = random.Random(11)
    parts = ["births_o1_male", "births_o1_female", "births_o2_male", "births_o2_female"]
    rows = [DataRow("合计", "A5")]
    broken_sums = wrong_ratios = 0
    for i in range(200):
        row = DataRow(f"{i:03d}乡", f"A{6 + i}")
        got = {name: rng.randint(0, 40) for name in parts}
        got["births_o3_male"], got["births_o3_female"] = rng.randint(0, 3), rng.randint(0, 3)
        got["births_male"] = got["births_o1_male"] + got["births_o2_male"] + got["births_o3_male"]
        got["births_female"] = sum(got[f"births_o{k}_female"] for k in (1, 2, 3))
        if i % 3:  # a third leave the births to be derived
            got["births"] = got["births_male"] + got["births_female"]
        if i % 29 == 5:  # a broken sum, by one birth
            got["births_male"] += 1
            broken_sums += 1
        got["fee_amount_due"] = rng.randint(0, 90000) / 10000
        got["fee_amount_paid"] = round(got["fee_amount_due"] * rng.random(), 4)
        for c, (name, value) in enumerate(got.items()):
            row.figures.setdefault("", {})[name] = Figure(float(value), f"{c}{i}", name, field=name)
        if got["births_female"] and i % 7 == 0:  # 性别比 shown, wrong on every other one
            srb = round(100 * got["births_male"] / got["births_female"], 2)
            row.shown[""] = {"srb": (srb if i % 14 else srb + 1, 2, f"N{i}", "性别比")}
            wrong_ratios += i % 14 == 0
        rows.append(row)
    total_figures = {}
    for name in ["births_male", "births_female", "fee_amount_due"]:
        summed = sum(r.figures[""][name].value for r in rows[1:])
        total_figures[name] = Figure(summed + (1 if name == "births_male" else 0), f"T{name}", name)
    rows[0].figures[""] = total_figures

    got = check_rows(rows, 0, "f.xlsx", "S")
    want = _rows_one_by_one(rows, 0, "f.xlsx", "S")
    assert got[0] == want[0]
    assert [f.to_dict() for f in got[1]] == [f.to_dict() for f in want[1]]
    codes = [f.code for f in got[1]]
    # the planted faults, counted by hand: 7 rows (i % 29 == 5) whose boys are one more than
    # their orders' boys; 5 of them report births, now not boys + girls; 2 derive births from
    # the boys, now not the sum of the orders: 7 + 5 + 2 broken sums. The total row's boys are
    # one more than the areas'. 15 shown sex ratios off by one (i % 14 == 0).
    assert broken_sums == 7 and codes.count("load.sum_mismatch") == 14
    assert codes.count("load.total_mismatch") == 1
    assert wrong_ratios == 15 and codes.count("load.derived_mismatch") == 15
    # births derived where it was left out: 67 areas (i % 3 == 0) and the total row
    made = [r for r in got[0] if r.field == "births" and r.cell == ""]
    assert len(made) == 68
