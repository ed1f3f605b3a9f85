"""load() on the layouts of real published tables (issue 9): yearbook tables with spacer rows
and bilingual labels, household-register CSVs at village grain in Traditional Chinese, county
rows above their townships, census blocks, rates, units, titles, two panels, periods, messages
and tables that are no township report. Every fixture is written here; every figure below is
written down by hand from it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from real_layouts import (
    AGES,
    AGES_MERGES,
    BDMD,
    CENSUS,
    CENSUS_MERGES,
    CITY,
    RATES,
    RATES_MERGES,
    YEARBOOK,
    YEARBOOK_MERGES,
    write_xls,
)
from workbooks import cell, cells_of, codes, load_file, value, write_csv, write_xlsx

from loaders.describe import describe
from loaders.types import LoadResult

N = None


REPO = Path(__file__).resolve().parent.parent


def findings(result: LoadResult, code: str) -> list:
    return [f for f in result.findings if f.code == code]


def areas(result: LoadResult) -> list[str]:
    v = result.values
    return list(dict.fromkeys(v.loc[~v["is_total"], "area"]))


# ---------------------------------------------------------------- 1. blank spacer rows


def test_spacer_rows_do_not_end_a_yearbook_table(tmp_path):
    path = write_xls(tmp_path / "yb_5-3.xls", YEARBOOK, YEARBOOK_MERGES)
    result = load_file(path, period="2022-12")
    assert result.ok, result.findings
    assert areas(result) == ["河北", "山西", "辽宁", "海南"]
    assert value(result, "全国", "population") == 1500
    assert value(result, "河北", "population") == 400
    assert value(result, "辽宁", "population") == 500
    assert codes(result, "error") == [] and codes(result, "warning") == []


def test_a_label_and_its_numbers_on_two_rows_are_one_row(tmp_path):
    path = write_xls(tmp_path / "yb_5-3.xls", YEARBOOK, YEARBOOK_MERGES)
    result = load_file(path, period="2022-12")
    assert value(result, "海南", "population") == 300
    assert cell(result, "海南", "population") == "D15"  # the numbers' row, below 海  南 (A14)


def _wrapped(rows: list[list[Any]]) -> list[list[Any]]:
    """A township table (births, boys) under a title and a header, with a total row."""
    return [["示例县2024年3月各乡镇出生人数", N, N], ["乡镇", "出生人数", "男"], *rows]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_an_area_name_wrapped_over_two_rows_is_one_row(tmp_path, suffix):
    rows = _wrapped(
        [
            ["合计", 45, 23],
            ["城关镇东城", N, N],  # the name's start, no numbers
            ["社区", 10, 6],  # its end, with the numbers
            ["柳河乡", 12, 6],
            ["经济技术开发", 15, 7],  # the numbers on the first row of the name
            ["区", N, N],
            ["石桥镇", 8, 4],
        ]
    )
    path = tmp_path / f"a{suffix}"
    result = load_file(write_xlsx(path, rows) if suffix == ".xlsx" else write_xls(path, rows))
    assert result.ok, result.findings
    assert areas(result) == ["城关镇东城社区", "柳河乡", "经济技术开发区", "石桥镇"]
    assert value(result, "城关镇东城社区", "births") == 10
    assert value(result, "城关镇东城社区", "births_male") == 6
    assert cell(result, "城关镇东城社区", "births") == "B5"
    assert value(result, "经济技术开发区", "births") == 15
    assert cell(result, "经济技术开发区", "births_male") == "C7"
    assert cells_of(result, "load.wrapped_area") == ["A4", "A5", "A7", "A8"]
    assert codes(result, "error") == [] and codes(result, "warning") == []
    [note] = findings(result, "load.wrapped_area")[:1]
    assert describe(note).endswith("区域名称“城关镇东城社区”分写在两行，已合为一行读取。")


def test_a_wrapped_name_right_under_the_header(tmp_path):
    rows = _wrapped([["城关镇东城", N, N], ["社区", 10, 6], ["柳河乡", 12, 6]])
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert result.ok, result.findings
    assert areas(result) == ["城关镇东城社区", "柳河乡"]
    assert value(result, "城关镇东城社区", "births_male") == 6
    assert cells_of(result, "load.wrapped_area") == ["A3", "A4"]
    assert "load.blank_row_skipped" not in codes(result)


def test_whole_names_groups_totals_and_spacers_are_never_joined(tmp_path):
    rows = _wrapped(
        [
            ["合计", 30, 16],
            ["柳河乡", N, N],  # a whole name that reported nothing, above a short one
            ["新村", 4, 2],
            ["其中：", N, N],  # a heading of parts is no start of a name
            ["城区", 10, 6],
            ["东城", N, N],  # a start of a name, but a spacer row between
            [N, N, N],
            ["东区", 9, 4],
            ["石桥", 7, 4],  # no unit, but the next row holds its own name and numbers
            ["西区", N, N],
        ]
    )
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert codes(result, "note").count("load.wrapped_area") == 0
    assert areas(result) == ["新村", "城区", "东区", "石桥"]
    assert cells_of(result, "load.blank_row_skipped") == ["A4", "A6", "A8", "A12"]
    assert value(result, "新村", "births") == 4 and value(result, "城区", "births") == 10
    assert value(result, "石桥", "births") == 7


def test_a_county_row_without_numbers_is_no_start_of_a_name(tmp_path):
    rows = [
        ["某市2024年3月各区县出生人数", N],
        ["区域", "出生人数"],
        ["东山县", N],
        ["区", 5],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert "load.wrapped_area" not in codes(result)
    assert areas(result) == ["区"]


def test_numbers_without_an_area_inside_the_table_refuse_the_file(tmp_path):
    rows = [
        ["示例县2024年3月出生统计", N, N],
        ["乡镇", "出生人数", "男"],
        ["东镇", 10, 6],
        [N, 4, 2],
        ["西乡", 5, 2],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert not result.ok
    assert cells_of(result, "load.row_without_area") == ["B4", "C4"]


# ---------------------------------------------------------------- 2. total rows and bilingual labels


@pytest.mark.parametrize(
    "label", ["全  国", "全省", "全市", "合　计", "总计  Total", "全国 National Total", "全县合计"]
)
def test_total_row_labels_spaced_and_bilingual(tmp_path, label):
    rows = [
        ["2024年3月各地区出生人数", N],
        ["地区 Region", "出生人数 Births"],
        [label, 15],
        ["东镇 East", 10],
        ["西乡 West", 5],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert result.ok, result.findings
    assert areas(result) == ["东镇", "西乡"]
    total = result.values[result.values["is_total"]]
    assert total["value"].tolist() == [15]
    assert codes(result, "error") == []


def test_a_first_row_equal_to_the_sum_of_the_rest_is_the_total(tmp_path):
    # the census names its rows in pinyin: `china` is known by its sum, not its name
    rows = [
        ["1-1  各地区人口数", N, N],
        ["单位：人", N, N],
        ["地    区", "人口数", N],
        [N, "合计", "男"],
        ["china", 600, 310],
        ["beijing", 100, 52],
        ["tianjin", 200, 101],
        ["hebei", 300, 157],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows, ("B3:C3",)), period="2010-11")
    assert result.ok, result.findings
    assert areas(result) == ["beijing", "tianjin", "hebei"]
    assert value(result, "china", "population") == 600
    assert cells_of(result, "load.total_by_sum") == ["A5"]


# ---------------------------------------------------------------- 3. group rows


def test_county_rows_above_their_townships_by_codes(tmp_path):
    path = write_csv(tmp_path / "city_04.csv", CITY, "utf-8-sig")
    result = load_file(path)
    assert result.ok, result.findings
    # 6801000 ends in zeros but is a township beside 6801100, not a group of it
    assert areas(result) == [
        "連江縣南竿鄉",
        "連江縣北竿鄉",
        "桃園市桃園區",
        "桃園市平鎮區",
        "桃園市新屋區",
    ]
    assert value(result, "連江縣北竿鄉", "population") == 40
    assert value(result, "桃園市平鎮區", "population") == 130
    assert result.values["value"].sum() == 60 + 40 + 100 + 130 + 100
    assert result.parents["桃園市新屋區"] == "桃園市"
    assert result.parents["連江縣南竿鄉"] == "連江縣"
    assert codes(result, "error") == [] and codes(result, "warning") == []
    assert result.periods == ["2014-04"]


def test_a_group_row_that_is_not_the_sum_of_its_members_is_an_error(tmp_path):
    rows = [list(r) for r in CITY]
    rows[1][4] = "101"  # 連江縣 101 ≠ 60 + 40
    result = load_file(write_csv(tmp_path / "city_04.csv", rows))
    assert not result.ok
    [found] = findings(result, "load.group_mismatch")
    assert found.acceptable
    assert [c.cell for c in found.cells] == ["E2", "E3", "E4"]
    assert describe(found).startswith("city_04.csv：E2 人口数 101 ≠ 其下各区域之和 100")


def test_county_rows_above_their_townships_by_names(tmp_path):
    rows = [
        ["区域", "出生人数"],
        ["连江县", 9],
        ["连江县南竿乡", 5],
        ["连江县北竿乡", 4],
        ["金门县", 7],
        ["金门县金城镇", 3],
        ["金门县金湖镇", 4],
    ]
    result = load_file(write_xlsx(tmp_path / "2014年7月.xlsx", rows))
    assert result.ok, result.findings
    assert areas(result) == ["连江县南竿乡", "连江县北竿乡", "金门县金城镇", "金门县金湖镇"]
    assert result.values["value"].sum() == 16


# ---------------------------------------------------------------- 4. two area columns


def test_villages_are_summed_into_their_townships(tmp_path):
    path = write_csv(tmp_path / "bdmd.csv", BDMD, "utf-8-sig")
    result = load_file(path)
    assert result.ok, result.findings
    assert areas(result) == ["連江縣南竿鄉", "連江縣北竿鄉", "新北市板橋區"]
    assert value(result, "連江縣南竿鄉", "births") == 4
    assert value(result, "連江縣南竿鄉", "births_male") == 2
    assert value(result, "連江縣北竿鄉", "births_female") == 2
    assert cell(result, "連江縣南竿鄉", "births") == "D2:D4"
    # births, boys and girls: twice the births in all
    assert result.values["value"].sum() == 2 * (1 + 3 + 0 + 2 + 4 + 6)
    # 介壽村 in two townships is no duplicate; nothing is a duplicate township
    assert "load.duplicate_area" not in codes(result)
    [note] = findings(result, "load.villages_summed")
    assert note.params == {"villages": 6, "townships": 3}


def test_villages_summed_keep_the_files_order_of_fields_in_every_process(tmp_path):
    """The summed townships' fields come in the order of the file's columns, whatever the
    process's hash seed (they came out of a set: another order at each run)."""
    path = write_csv(tmp_path / "bdmd.csv", BDMD, "utf-8-sig")
    script = tmp_path / "fields.py"
    script.write_text(
        f"import sys; sys.path.insert(0, {str(REPO / 'tests')!r})\n"
        "from pathlib import Path\n"
        "from workbooks import load_file\n"
        "if __name__ == '__main__':\n"
        f"    v = load_file(Path({str(path)!r})).values\n"
        "    print(list(dict.fromkeys(v['field'].astype(str))))\n",
        encoding="utf-8",
    )
    orders = set()
    for seed in ("1", "2", "3", "4"):
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=REPO,
            check=True,
        )
        orders.add(done.stdout.strip().splitlines()[-1])
    assert orders == {"['births', 'births_male', 'births_female']"}


def test_a_village_twice_in_its_township_is_a_duplicate(tmp_path):
    rows = [*BDMD, ["10307", "連江縣南竿鄉", "介壽村", "1", "1", "0", "0", "0", "0", "0", "0", ""]]
    result = load_file(write_csv(tmp_path / "bdmd.csv", rows))
    assert not result.ok
    [dup] = findings(result, "load.duplicate_area")
    assert [c.cell for c in dup.cells] == ["C3", "C8"]
    assert dup.params["area"] == "連江縣南竿鄉 介壽村"


def test_a_township_written_once_above_its_villages(tmp_path):
    rows = [
        ["示例县2024年1-3月出生统计", N, N, N, N],
        ["乡镇", "村(社区)", "出生人数", "男", "女"],
        ["东镇", "东村", 3, 2, 1],
        [N, "西村", 2, 1, 1],
        [N, "南村", 1, 0, 1],
        ["西乡", "北村", 4, 2, 2],
        [N, "中村", 5, 3, 2],
        ["合计", N, 15, 8, 7],
    ]
    path = write_xlsx(tmp_path / "a.xlsx", rows, ("A3:A5", "A6:A7"))
    result = load_file(path)
    assert result.ok, result.findings
    assert areas(result) == ["东镇", "西乡"]
    assert value(result, "东镇", "births") == 6
    assert value(result, "西乡", "births_male") == 5
    assert value(result, "合计", "births") == 15
    assert codes(result, "error") == []


def test_a_village_that_breaks_a_rule_is_named_with_its_cells(tmp_path):
    rows = [list(r) for r in BDMD]
    rows[2][3] = "4"  # 介壽村 births 4 ≠ 2 + 1
    result = load_file(write_csv(tmp_path / "bdmd.csv", rows))
    [broken] = findings(result, "load.sum_mismatch")
    assert [c.cell for c in broken.cells] == ["D3", "E3", "F3"]
    assert broken.params["area"] == "連江縣南竿鄉 介壽村"


# ---------------------------------------------------------------- 5. measures recognised, not stored


def test_deaths_marriages_and_pairs_never_become_births(tmp_path):
    result = load_file(write_csv(tmp_path / "bdmd.csv", BDMD, "utf-8-sig"))
    assert set(result.values["field"]) == {"births", "births_male", "births_female"}
    kinds = {
        f.params["kind_key"]: f.params["count"] for f in findings(result, "load.unstored_columns")
    }
    assert kinds == {"load.unstored.deaths": 3, "load.unstored.marriages": 2}
    assert "load.unrecognised_column" not in codes(result)


def test_households_ages_and_population_by_sex_are_not_stored(tmp_path):
    rows = [
        [
            "統計年月",
            "代碼",
            "區域",
            "戶數",
            "人口數",
            "人口數-男",
            "人口數-女",
            "0歲-男",
            "0歲-女",
            "100歲以上-男",
        ],
        ["2014-04", "0900701", "連江縣南竿鄉", "20", "60", "33", "27", "1", "2", "0"],
        ["2014-04", "0900702", "連江縣北竿鄉", "10", "40", "22", "18", "0", "1", "1"],
    ]
    result = load_file(write_csv(tmp_path / "city.csv", rows))
    assert result.ok, result.findings
    assert set(result.values["field"]) == {"population"}
    kinds = {
        f.params["kind_key"]: f.params["count"] for f in findings(result, "load.unstored_columns")
    }
    assert kinds == {
        "load.unstored.households": 1,
        "load.unstored.population_by_sex": 2,
        "load.unstored.ages": 3,
    }


def test_census_blocks_are_parts_of_the_population_not_rival_totals(tmp_path):
    result = load_file(write_xlsx(tmp_path / "a.xlsx", CENSUS, CENSUS_MERGES), period="2010-11")
    assert result.ok, result.findings
    assert set(result.values["field"]) == {"population"}
    assert value(result, "tianjin", "population") == 200
    assert cell(result, "tianjin", "population") == "C8"
    assert "load.duplicate_field" not in codes(result)
    kinds = {f.params["kind_key"] for f in findings(result, "load.unstored_columns")}
    assert kinds == {
        "load.unstored.households",
        "load.unstored.population_by_sex",
        "load.unstored.population_sex_ratio",
        "load.unstored.population_parts",
        "load.unstored.household_size",
    }
    assert "load.derived_mismatch" not in codes(result)  # 性别比 here is no sex ratio at birth


# ---------------------------------------------------------------- 6. rates and units


def test_a_rate_column_is_never_a_count(tmp_path):
    rows = [
        ["示例县2024年1-3月出生统计", N, N],
        ["乡镇", "出生人数", "出生率(‰)"],
        ["东镇", 10, 12.5],
        ["西乡", 5, 8],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert result.ok, result.findings
    assert set(result.values["field"]) == {"births"}
    [note] = findings(result, "load.unstored_columns")
    assert note.params["kind_key"] == "load.unstored.rate"
    assert [c.cell for c in note.cells] == ["C2"]
    assert "load.fractional_count" not in codes(result)


def test_counts_in_ten_thousands_are_scaled_to_persons(tmp_path):
    rows = [
        ["2023年各地区年末总人口", N],
        ["地区", "年末总人口(万人)"],
        ["东区", 12.3],
        ["西区", 4],
    ]
    result = load_file(write_xlsx(tmp_path / "2023年12月.xlsx", rows))
    assert result.ok, result.findings
    assert value(result, "东区", "population") == 123_000
    assert value(result, "西区", "population") == 40_000


def test_a_unit_line_in_ten_thousands_scales_the_counts(tmp_path):
    rows = [["2023年12月人口", N], ["单位：万人", N], ["地区", "总人口"], ["东区", 1.25]]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert value(result, "东区", "population") == 12_500


def test_a_count_in_ten_thousands_finer_than_a_person_is_refused(tmp_path):
    rows = [["2023年12月人口", N], ["地区", "总人口(万人)"], ["东区", 1.23456]]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert not result.ok
    assert cells_of(result, "load.fractional_count") == ["B3"]


# ---------------------------------------------------------------- 7. Traditional Chinese, ROC months


def test_roc_month_in_a_statistical_month_column_is_the_period(tmp_path):
    result = load_file(write_csv(tmp_path / "bdmd.csv", BDMD, "utf-8-sig"))
    assert result.periods == ["2014-07"] and result.bases == ["month"]


def test_an_english_code_row_above_the_chinese_header(tmp_path):
    rows = [
        [
            "statistic_yyymm",
            "district_code",
            "site_id",
            "village",
            "birth_total",
            "birth_total_m",
            "birth_total_f",
            "death_m",
        ],
        [
            "統計年月",
            "區域別代碼",
            "區域別",
            "村里名稱",
            "出生數",
            "出生數-男",
            "出生數-女",
            "死亡數-男",
        ],
        ["11111", "65000010001", "新北市板橋區", "留侯里", "1", "0", "1", "1"],
        ["11111", "65000010002", "新北市板橋區", "流芳里", "2", "1", "1", "0"],
        ["11111", "65000020001", "新北市三重區", "大有里", "7", "4", "3", "4"],
    ]
    result = load_file(write_csv(tmp_path / "data.csv", rows))
    assert result.ok, result.findings
    assert result.periods == ["2022-11"]
    assert areas(result) == ["新北市板橋區", "新北市三重區"]
    assert value(result, "新北市板橋區", "births") == 3
    assert value(result, "新北市三重區", "births_male") == 4
    assert set(result.values["field"]) == {"births", "births_male", "births_female"}


def test_two_months_in_the_statistical_month_column_refuse_the_file(tmp_path):
    rows = [list(r) for r in BDMD]
    rows[4][0] = "10308"
    result = load_file(write_csv(tmp_path / "bdmd.csv", rows))
    assert not result.ok
    assert cells_of(result, "load.period_column_mixed") == ["A2", "A5"]


# ---------------------------------------------------------------- 8. header finding


def test_a_title_with_measure_words_is_not_the_header(tmp_path):
    rows = [
        [N, "各乡镇出生人数和政策外出生统计", N, N],
        ["乡镇", "出生人数", "男", "女"],
        ["东镇", 10, 6, 4],
        ["西乡", 5, 2, 3],
    ]
    result = load_file(write_xlsx(tmp_path / "2024年3月.xlsx", rows))
    assert result.ok, result.findings
    assert set(result.values["field"]) == {"births", "births_male", "births_female"}
    assert value(result, "西乡", "births_female") == 3


def test_a_two_panel_table_is_two_tables_stacked(tmp_path):
    rows = [
        ["示例县2024年1-3月出生统计", N, N, N, N, N],
        ["乡镇", "出生人数", "男", "乡镇", "出生人数", "男"],
        ["东镇", 10, 6, "南镇", 7, 3],
        ["西乡", 5, 2, "北乡", 4, 2],
        ["中镇", 1, 1, "合计", 27, 14],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert result.ok, result.findings
    assert areas(result) == ["东镇", "西乡", "中镇", "南镇", "北乡"]
    assert value(result, "北乡", "births") == 4
    assert cell(result, "北乡", "births") == "E4"
    assert value(result, "合计", "births_male") == 14
    assert "load.second_table" not in codes(result)


# ---------------------------------------------------------------- 9. periods


def test_a_table_number_in_the_file_name_is_not_a_period(tmp_path):
    rows = [["地区", "总人口"], ["东区", 100], ["西区", 50]]
    result = load_file(write_xlsx(tmp_path / "yb2023_5-3_county_pop.xlsx", rows))
    assert not result.ok
    [missing] = findings(result, "load.no_period")
    assert "--period" in describe(missing)
    assert "period field of the upload page" in describe(missing, "en")


def test_the_period_given_stores_a_file_that_names_none(tmp_path):
    rows = [["地区", "总人口"], ["东区", 100], ["西区", 50]]
    result = load_file(write_xlsx(tmp_path / "yb2023_5-3_county_pop.xlsx", rows), period="2022-12")
    assert result.ok, result.findings
    assert result.periods == ["2022-12"]
    assert value(result, "西区", "population") == 50


def test_a_month_range_with_a_month_marker_in_the_file_name(tmp_path):
    rows = [["乡镇", "出生人数"], ["东镇", 10]]
    result = load_file(write_xlsx(tmp_path / "births_2024_1-3月.xlsx", rows))
    assert result.periods == ["2024-03"] and result.bases == ["ytd"]


# ---------------------------------------------------------------- 10. messages


def test_no_area_column_names_the_candidate_columns(tmp_path):
    rows = [
        ["序号", "名称", "出生人数", "男", "女"],
        [1, "东镇", 10, 6, 4],
        [2, "西乡", 5, 2, 3],
    ]
    result = load_file(write_xlsx(tmp_path / "2024年3月.xlsx", rows))
    [missing] = findings(result, "load.no_area_column")
    assert missing.params["row"] == 1
    assert missing.params["candidates"] == "B1 名称"
    text = describe(missing)
    assert "B1 名称" in text and "乡镇" in text


def test_no_message_lists_more_than_ten_cells(tmp_path):
    rows = [["示例县2024年3月出生统计", N, N], ["乡镇", "出生人数", "男"]]
    rows += [[f"镇{i:02d}", "不详", 1] for i in range(40)]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    [grouped] = findings(result, "load.not_a_number")
    assert len(grouped.cells) == 40 and grouped.params["count"] == 40
    text = describe(grouped)
    assert text.startswith(
        "a.xlsx：Sheet!B3 出生人数 不详、B4 出生人数 不详、B5 出生人数 不详 … 共 40 处"
    )
    assert "B6" not in text
    assert "40 in all" in describe(grouped, "en")


# ---------------------------------------------------------------- 11. out of scope


def test_rows_that_are_ages_are_refused_with_what_the_file_is(tmp_path):
    path = write_xls(tmp_path / "yb_2-40.xls", AGES, AGES_MERGES)
    result = load_file(path)
    assert not result.ok
    assert codes(result, "error") == ["load.out_of_scope_rows_ages"]
    assert cells_of(result, "load.out_of_scope_rows_ages") == ["A2"]
    assert "行是年龄" in describe(result.errors[0])


def test_a_table_of_rates_by_year_is_refused_with_what_it_is(tmp_path):
    result = load_file(write_xlsx(tmp_path / "yb_1-7.xlsx", RATES, RATES_MERGES))
    assert not result.ok
    assert codes(result, "error") == ["load.out_of_scope_rates_by_year"]
    text = describe(result.errors[0], "en")
    assert "table of rates by year (1990–1992" in text and "counts" in text


def test_a_rate_only_table_is_refused(tmp_path):
    rows = [["2023年各地区出生率", N, N], ["地区", "出生率(‰)", "死亡率(‰)"], ["东区", 9.5, 7.1]]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert codes(result, "error") == ["load.out_of_scope_rates_only"]


def test_a_portal_export_with_years_across_is_refused(tmp_path):
    rows = [
        ["数据库：分省年度数据", N, N, N],
        ["指标：年末常住人口(万人)", N, N, N],
        ["地区", "2022年", "2021年", "2020年"],
        ["北京市", 2184.3, 2188.6, 2189],
        ["天津市", 1363, 1373, 1387],
    ]
    result = load_file(write_csv(tmp_path / "年度数据.csv", rows))
    assert codes(result, "error") == ["load.out_of_scope_portal_export"]
    assert "数据门户导出" in describe(result.errors[0])


def test_a_total_label_merged_over_the_serial_number_column(tmp_path):
    rows = [
        ["示例县2024年1-3月出生统计", N, N, N],
        ["序号", "乡镇", "出生人数", "男"],
        [1, "东镇", 10, 6],
        [2, "西乡", 5, 2],
        ["合计", N, 15, 8],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows, ("A5:B5",)))
    assert result.ok, result.findings
    assert value(result, "合计", "births") == 15
    assert result.values[result.values["is_total"]]["cell"].tolist() == ["C5", "D5"]


def test_a_total_row_after_a_blank_line_is_still_read(tmp_path):
    rows = [
        ["示例县2024年1-3月出生统计", N, N],
        ["乡镇", "出生人数", "男"],
        ["东镇", 10, 6],
        ["西乡", 5, 2],
        [N, N, N],
        ["合计", 16, 8],
    ]
    result = load_file(write_xlsx(tmp_path / "a.xlsx", rows))
    assert not result.ok  # 16 ≠ 10 + 5: the total row is checked, not dropped
    assert cells_of(result, "load.total_mismatch")[0] == "B6"


def test_sex_columns_under_a_population_title_are_no_births(tmp_path):
    rows = [
        ["2020年各地区分性别人口", N, N, N],
        ["地区", "合计", "男", "女"],
        ["东区", 100, 52, 48],
        ["西区", 60, 31, 29],
    ]
    result = load_file(write_xlsx(tmp_path / "2020年11月.xlsx", rows))
    assert result.ok, result.findings
    assert set(result.values["field"]) == {"population"}
    assert value(result, "西区", "population") == 60
    [note] = findings(result, "load.unstored_columns")
    assert note.params["kind_key"] == "load.unstored.population_by_sex"


def test_sex_columns_under_a_deaths_title_are_no_births(tmp_path):
    rows = [["2020年各地区死亡人口", N, N], ["地区", "男", "女"], ["东区", 5, 4]]
    result = load_file(write_xlsx(tmp_path / "2020年11月.xlsx", rows))
    assert "births" not in "".join(result.values["field"])
    assert codes(result, "error") == ["load.no_fields"]


def test_a_population_title_over_a_births_table_keeps_births(tmp_path):
    rows = [
        ["示例县人口与计生月报", N, N, N, N],
        ["乡镇", "出生人数", "一孩", "男", "女"],
        ["东镇", 10, 7, 6, 4],
    ]
    result = load_file(write_xlsx(tmp_path / "2024年3月.xlsx", rows))
    assert result.ok, result.findings
    assert value(result, "东镇", "births_o1") == 7
    assert value(result, "东镇", "births_male") == 6


def test_rows_that_are_years_are_refused_with_what_the_file_is(tmp_path):
    rows = [["1-2  人口出生率、死亡率", N, N], ["年  份 Year", "出生率(‰)", "死亡率(‰)"]]
    rows += [[year, 12.0, 7.0] for year in range(2015, 2023)]
    result = load_file(write_xlsx(tmp_path / "yb_1-2.xlsx", rows))
    assert codes(result, "error") == ["load.out_of_scope_rows_years"]
    assert cells_of(result, "load.out_of_scope_rows_years") == ["A2"]


def test_a_city_districts_row_groups_the_districts_after_it(tmp_path):
    rows = [
        ["地区", "总人口"],
        ["市辖区", 300],
        ["长安区", 100],
        ["桥西区", 200],
        ["城关镇", 50],
        ["河口镇", 60],
    ]
    result = load_file(write_xlsx(tmp_path / "2020年11月.xlsx", rows))
    assert result.ok, result.findings
    assert areas(result) == ["长安区", "桥西区", "城关镇", "河口镇"]
    assert result.parents == {"长安区": "市辖区", "桥西区": "市辖区"}
    assert result.values["value"].sum() == 410


def test_a_numbered_name_that_begins_the_next_ones_is_no_group(tmp_path):
    rows = [["乡镇", "出生人数"], ["乡镇1", 4], ["乡镇10", 5], ["乡镇11", 6]]
    result = load_file(write_xlsx(tmp_path / "2024年3月.xlsx", rows))
    assert result.ok, result.findings
    assert areas(result) == ["乡镇1", "乡镇10", "乡镇11"]
    assert result.parents == {}
