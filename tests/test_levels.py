"""Views of a two-level table (issue 11, "views that work at 1,500 areas"): the parents'
figures recomputed from their areas' counts (Σ/Σ, never an average), and one parent's areas
ranked against that parent. Every figure is worked by hand from the cells of
`test_area_parents.TWO_LEVELS`, through the store on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pandas as pd
import pytest
from dashboard_fixtures import PASSWORDS, ROLES, app_config, filled_store, log_in, render_page
from openpyxl import load_workbook
from test_area_parents import TWO_LEVELS
from workbooks import write_xlsx

from dashboard.app import create_app
from indicators.catalog import load_catalog
from indicators.engine import compute
from indicators.levels import ALL, PARENTS, scoped, scopes, valid_scope
from store import Store
from zhibiao.cli import main
from zhibiao.tables import indicator_table


def srb(table: pd.DataFrame) -> dict[str, float]:
    rows = table[table["indicator"] == "srb"]
    return dict(zip(rows["area"], rows["value"], strict=True))


@pytest.fixture
def two_levels(db_url, tmp_path, capsys):
    path = write_xlsx(tmp_path / "某市2024年3月.xlsx", TWO_LEVELS)
    assert main(["ingest", str(path), "--db", db_url, "--lang", "en"]) == 0
    capsys.readouterr()
    store = Store(db_url)
    yield store
    store.dispose()


def test_the_scopes_of_a_two_level_period(two_levels):
    parents = two_levels.area_parents("2024-03")
    assert scopes(parents) == ["all", "parents", "in:东山县", "in:西河县"]
    assert valid_scope("in:南湖县", parents) == "all"
    assert scopes({"城关镇": None}) == ["all"]


def test_parents_are_recomputed_from_their_townships_counts(two_levels):
    table = indicator_table(two_levels, "2024-03", "month", scope=PARENTS)
    # 东山县: boys 13+10+8 = 31, girls 12+10+7 = 29 → 31/29×100 = 106.896… → 106.90
    # 西河县: boys 7+9+8 = 24, girls 5+9+7 = 21 → 114.285… → 114.29; all: 55/50 → 110.00
    county = table.loc[table["is_total"], "area"].iloc[0]
    assert srb(table) == {county: 110.00, "东山县": 106.90, "西河县": 114.29}
    # not the mean of its townships' ratios: (108.33 + 100.00 + 114.29) / 3 = 107.54
    townships = srb(indicator_table(two_levels, "2024-03", "month"))
    mean = sum(townships[a] for a in ("东山县城关镇", "东山县柳河乡", "东山县石桥镇")) / 3
    assert round(mean, 2) == 107.54 != 106.90
    parents = table[(table["indicator"] == "srb") & ~table["is_total"]]
    assert list(parents["area"]) == ["东山县", "西河县"]


def test_one_parents_townships_are_ranked_against_that_parent(two_levels):
    table = indicator_table(two_levels, "2024-03", "month", scope="in:东山县")
    rows = table[table["indicator"] == "srb"]
    total = rows[rows["is_total"]]
    assert list(total["area"]) == ["东山县"] and total["value"].item() == 106.90
    # 城关镇 13/12 → 108.33, 柳河乡 10/10 → 100.00, 石桥镇 8/7 → 114.29
    assert srb(rows[~rows["is_total"]]) == {
        "东山县城关镇": 108.33,
        "东山县柳河乡": 100.00,
        "东山县石桥镇": 114.29,
    }
    assert len(rows) == 4  # the parent and its three townships, not the other three
    # the row above them is the parent's own judgement: 106.90 is green, the city's 110.00 not
    assert total["status"].item() == "green"
    everything = indicator_table(two_levels, "2024-03", "month")
    county = everything[(everything["indicator"] == "srb") & everything["is_total"]]
    assert county["value"].item() == 110.00 and county["status"].item() != "green"


def test_a_scope_the_period_does_not_offer_is_every_area(two_levels):
    everything = indicator_table(two_levels, "2024-03", "month")
    unknown = indicator_table(two_levels, "2024-03", "month", scope="in:南湖县")
    assert srb(unknown) == srb(everything)
    assert len(srb(everything)) == 7  # six townships and the total


def test_a_parent_lacking_a_figure_of_one_of_its_areas_has_none():
    """Two townships of one parent; the second reports no girls: the parent has no sex ratio
    (Σ over part of its areas would be wrong), the other parent keeps 9/8 → 112.50."""
    rows = []
    cells = {
        ("甲镇", "births"): 9,
        ("甲镇", "births_male"): 5,
        ("甲镇", "births_female"): 4,
        ("乙乡", "births"): 6,
        ("乙乡", "births_male"): 6,
        ("丙镇", "births"): 17,
        ("丙镇", "births_male"): 9,
        ("丙镇", "births_female"): 8,
    }
    for n, ((area, fld), v) in enumerate(cells.items()):
        rows.append(
            {
                "area": area,
                "is_total": False,
                "period": "2024-03",
                "basis": "month",
                "field": fld,
                "value": float(v),
                "row": n,
            }
        )
    values = pd.DataFrame(rows)
    parents = {"甲镇": "东区", "乙乡": "东区", "丙镇": "西区"}
    catalog = load_catalog()
    view = scoped(values, catalog, parents, PARENTS, "全县")
    table = compute(view.values, "2024-03", "month", catalog=view.catalog, county=view.total)
    got = srb(table)
    assert pd.isna(got["东区"]) and got["西区"] == 112.50
    assert scoped(values, catalog, parents, ALL, "全县").values is values


# --- the pages ---------------------------------------------------------------------------


@pytest.fixture
def levels_client(two_levels, tmp_path):
    for name, role in ROLES.items():
        two_levels.add_user(name, role, PASSWORDS[name])
    app = create_app(app_config(tmp_path, two_levels.url))
    client = app.server.test_client()
    log_in(client, "vic")
    return client


def test_the_pages_of_a_two_level_table_offer_the_scopes(levels_client):
    page = render_page(levels_client, "/rankings", "?period=2024-03&basis=month")
    assert '"name": "scope"' in page
    for label in ("全部乡镇", "按上级汇总", "东山县所辖", "西河县所辖"):
        assert f'"label": "{label}"' in page
    assert '"value": "all"' in page  # every township, as before


def test_the_rankings_by_parent_show_the_parents_figures(levels_client):
    page = render_page(levels_client, "/rankings", "?period=2024-03&basis=month&scope=parents")
    assert "106.90" in page and "114.29" in page  # 东山县 31/29, 西河县 24/21
    assert "东山县城关镇" not in page
    assert '"value": "parents"' in page
    assert '"headerName": "上级区域"' in page  # the scorecard's rows are the parents


#: The query of March 2024, single month, within 东山县 (URL-encoded as a browser sends it).
IN_DONGSHAN = "?period=2024-03&basis=month&scope=in:" + quote("东山县")


def test_the_rankings_within_one_parent_show_its_townships_against_it(levels_client):
    page = render_page(levels_client, "/rankings", IN_DONGSHAN)
    assert "东山县城关镇" in page and "西河县河口镇" not in page
    assert "106.90" in page  # the parent's line, not the city's 110.00
    # the links to other pages carry the scope
    assert "scope=in%3A%E4%B8%9C%E5%B1%B1%E5%8E%BF" in page


def test_a_download_of_one_parent_holds_its_townships_only(levels_client):
    response = levels_client.get("/download/xlsx" + IN_DONGSHAN)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    cells = {
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    }
    assert {"东山县城关镇", "东山县柳河乡", "东山县石桥镇"} <= cells
    assert "西河县河口镇" not in cells


def test_the_township_page_within_one_parent_compares_with_it(levels_client):
    page = render_page(levels_client, "/area", IN_DONGSHAN + "&area=" + quote("东山县城关镇"))
    assert "东山县城关镇" in page and "西河县河口镇" not in page
    assert "106.90" in page


def test_a_one_level_table_has_no_scope_control(tmp_path, db_url):
    filled_store(db_url).dispose()
    app = create_app(app_config(tmp_path, db_url))
    client = app.server.test_client()
    log_in(client, "vic")
    page = render_page(client, "/rankings")
    assert '"name": "period"' in page and '"name": "scope"' not in page


@pytest.mark.parametrize("path", ["/", "/rankings", "/warnings", "/area", "/funnel", "/brief"])
def test_every_page_draws_the_parents(levels_client, path):
    page = render_page(levels_client, path, "?period=2024-03&basis=month&scope=parents")
    assert '"value": "parents"' in page  # the control shows the scope drawn
    if path == "/":  # the reports are the townships': the grid of who reported lists them
        page = page[: page.index('"上报情况"')]
    assert "东山县城关镇" not in page and "西河县河口镇" not in page


def test_the_reports_within_one_parent_are_its_townships(levels_client):
    page = render_page(levels_client, "/", "?period=2024-03&basis=month&scope=in:东山县")
    grid = page[page.index('"上报情况"') :]
    assert "东山县城关镇" in grid and "西河县河口镇" not in grid


# --- the command line ----------------------------------------------------------------------


def test_the_table_command_takes_a_scope(two_levels, capsys):
    url = two_levels.url
    args = ["table", "--period", "2024-03", "--basis", "month", "--db", url]
    assert main([*args, "--scope", "parents"]) == 0
    records = json.loads(capsys.readouterr().out)
    got = {r["area"]: r["value"] for r in records if r["indicator"] == "srb"}
    assert got["东山县"] == 106.90 and got["西河县"] == 114.29 and len(got) == 3

    assert main([*args, "--scope", "in:南湖县", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert 'This period has no scope "in:南湖县"' in err
    assert "all, parents, in:东山县, in:西河县" in err
