"""One list of warnings, four outputs: the warnings page, the pptx and pdf meeting packs and the
briefing show the same items, in the same order, with the same numbers.

The county (清河县, three townships, 2024 January–June, year to date) is written down here so
that every status can be checked by hand: 1,000 births in each township; 东城镇 700 boys to 300
girls (233.33), 西城镇 556 to 444 (125.23, its 95% interval above 107, its 99.8% one not) and
60% compliance, 南山乡 87.6% compliance (95% interval below 90, 99.8% not); 西城镇 collected from
10 of 100 persons due. The county sums them: 1,771 boys to 1,229 girls (144.10) and 2,426 of
3,000 births in policy (80.87%). Five figures are red, two amber, none watch.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd
import pytest
from dashboard_fixtures import PASSWORDS, app_config, csrf, log_in, page_body
from documents import pdf_text
from pptx import Presentation

from dashboard.app import create_app
from dashboard.render import stop_renderer
from loaders.types import VALUE_COLUMNS, LoadResult
from store import Store
from zhibiao.i18n import t

PERIOD = "2024-06"
COUNTY = "清河县"
TOWNS = {
    "东城镇": {"births": 1000, "births_male": 700, "births_female": 300, "out_of_policy": 50},
    "西城镇": {"births": 1000, "births_male": 556, "births_female": 444, "out_of_policy": 400},
    "南山乡": {"births": 1000, "births_male": 515, "births_female": 485, "out_of_policy": 124},
}
FEES = {"东城镇": (1000, 1000), "西城镇": (100, 10), "南山乡": (1000, 1000)}  # due, paid
#: (status word, area, indicator, value) of each warning, worst first, as written down above.
EXPECTED = [
    ("▲▲ 显著异常", COUNTY, "出生人口性别比", "144.10"),
    ("▲▲ 显著异常", COUNTY, "政策符合率", "80.87%"),
    ("▲▲ 显著异常", "东城镇", "出生人口性别比", "233.33"),
    ("▲▲ 显著异常", "西城镇", "政策符合率", "60.00%"),
    ("▲▲ 显著异常", "西城镇", "社会抚养费征收面", "10.00%"),
    ("▲ 需关注", "西城镇", "出生人口性别比", "125.23"),
    ("▲ 需关注", "南山乡", "政策符合率", "87.60%"),
]


def _county_result() -> LoadResult:
    records = []
    for order, (area, fields) in enumerate(TOWNS.items()):
        due, paid = FEES[area]
        every = {**fields, "fee_persons_due": due, "fee_persons_paid": paid}
        for column, (field, value) in enumerate(every.items()):
            records.append(
                {
                    "area": area,
                    "is_total": False,
                    "period": PERIOD,
                    "basis": "ytd",
                    "field": field,
                    "value": float(value),
                    "sheet": "Sheet1",
                    "cell": f"{'BCDEFG'[column]}{order + 4}",
                    "row": order,
                }
            )
    values = pd.DataFrame(records, columns=VALUE_COLUMNS)
    return LoadResult(
        file=f"{COUNTY}2024年1-6月.xlsx",
        sha256="c" * 64,
        values=values,
        findings=[],
        county=COUNTY,
        kind="xlsx",
        periods=[PERIOD],
        bases=["ytd"],
        fields=sorted(set(values["field"])),
    )


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("agree")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    store = Store(url)
    store.create()
    store.save_upload(_county_result(), user="ana")
    store.add_user("vic", "viewer", PASSWORDS["vic"])
    store.dispose()
    client = create_app(app_config(tmp, url)).server.test_client()
    log_in(client, "vic")
    yield client
    stop_renderer()


def _text(node: Any) -> str:
    """The text of a rendered Dash component tree."""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children", ""))
    return ""


def _find(node: Any, component_id: str) -> dict | None:
    """The component of a rendered layout with the given id."""
    if isinstance(node, list):
        return next((f for n in node if (f := _find(n, component_id))), None)
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == component_id:
            return node
        return _find(props.get("children"), component_id)
    return None


def _page(client: Any, path: str) -> Any:
    response = client.post(
        "/_dash-update-component",
        json=page_body(path, f"?period={PERIOD}&basis=ytd&lang=zh"),
        headers={"X-CSRFToken": csrf(client)},
    )
    assert response.status_code == 200, response.text
    return response.json["response"]["_pages_content"]["children"]


def _download(client: Any, kind: str) -> bytes:
    response = client.get(f"/download/{kind}?period={PERIOD}&basis=ytd&lang=zh")
    assert response.status_code == 200, response.text
    return response.data


def page_rows(client: Any) -> list[list[str]]:
    """The warnings page's table: status, area, indicator, value, reason of each row."""
    table = _find(_page(client, "/warnings"), "warnings-table")
    assert table is not None
    _head, body = table["props"]["children"]
    return [[_text(cell) for cell in row["props"]["children"]] for row in body["props"]["children"]]


def pptx_rows(data: bytes) -> list[list[str]]:
    """The rows of the warnings tables of the pptx (every warnings slide, header left out)."""
    titles = (t("exports.pack.warnings", "zh"), t("exports.pack.warnings_more", "zh"))
    rows = []
    for slide in Presentation(io.BytesIO(data)).slides:
        if slide.shapes.title.text not in titles:
            continue
        for shape in slide.shapes:
            if shape.has_table:
                cells = [[c.text for c in row.cells] for row in shape.table.rows]
                rows += cells[1:]
    return rows


def brief_items(client: Any) -> tuple[list[tuple[str, list[str]]], str]:
    """The briefing's warnings section: (status word, reasons) of each sentence, and the text."""
    text = _text(_find(_page(client, "/brief"), "brief-text"))
    lines = text.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.endswith("、预警"))
    section = lines[heading + 1]
    found = re.findall(r"(显著异常|需关注) (\d+) 项：(.*?)。", section)
    items = [(word, reasons.split("；")) for word, n, reasons in found]
    assert [int(n) for _, n, _ in found] == [len(r) for _, r in items]
    return items, section


def test_the_page_the_packs_and_the_briefing_list_the_same_warnings(client, tmp_path):
    page = page_rows(client)
    assert [tuple(row[:4]) for row in page] == EXPECTED
    reasons = [row[4] for row in page]
    assert reasons[0] == "清河县 出生人口性别比 144.10(95%区间 134–155),高于正常上限 107"
    assert reasons[6] == "南山乡 政策符合率 87.60(95%区间 85.4–89.6),低于目标 90"

    # the pptx: the same rows, cell for cell
    assert pptx_rows(_download(client, "pptx")) == page

    # the pdf: each row's five cells, in the page's order, after the warnings heading
    # in the order it was drawn, white space left out (a reason may wrap in its cell)
    text = re.sub(r"\s+", "", pdf_text(_download(client, "pdf"), tmp_path, "-raw"))
    at = text.index(re.sub(r"\s+", "", t("exports.pack.warnings", "zh")))
    for row in page:
        at = text.index(re.sub(r"\s+", "", "".join(row)), at) + 1

    # the briefing: the red and amber reasons, in the same order, the numbers with them
    items, section = brief_items(client)
    assert items == [("显著异常", reasons[:5]), ("需关注", reasons[5:])]
    assert "待观察" not in section  # none is on the watch list
