"""The upload page says one verdict, and its messages say what to fix: the button says what it
will do; a consistency error names the cells to check and the parts' sum; amounts carry their
unit and the file's own figure; a derived column's formula cells are one line."""

from __future__ import annotations

import pytest
from dashboard_fixtures import app_config, filled_store, log_in, post_callback

from dashboard import views
from dashboard.app import create_app
from loaders import load
from loaders.types import CellRef, finding

#: Three inconsistencies an analyst may accept (boys + girls ≠ births in three rows).
THREE = (
    "青川县2025年1-4月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,6\n白河镇,4,2,1\n"
    "东湖街道,8,4,3\n合计,22,12,10\n"
)
#: One error that refuses the file (a negative count) besides an inconsistency.
REFUSED = THREE.replace("白河镇,4,2,1", "白河镇,-3,0,0")
GOOD = "青川县2025年1-4月出生统计\n乡镇,出生人数,男,女\n城关镇,10,6,4\n合计,10,6,4\n"
FEES = (
    "青川县2025年1-4月社会抚养费\n乡镇,应征人数,已征人数,应征金额(元),已征金额(元)\n"
    "城关镇,10,5,164000,999999\n合计,10,5,164000,999999\n"
)


def preview(text: str, name: str, **kw) -> dict:
    return views.upload_preview(load(text.encode("utf-8"), name, **kw), "zh")


def test_one_verdict_however_the_file_was_checked():
    three = preview(THREE, "三项.csv")
    assert (three["verdict"], three["n_errors"]) == ("accept", 3)
    # the page checks with the inconsistencies accepted; the verdict is the same
    assert preview(THREE, "三项.csv", accept_inconsistent=True)["verdict"] == "accept"
    assert preview(REFUSED, "负数.csv")["verdict"] == "refused"
    assert preview(GOOD, "好.csv")["verdict"] == "ready"


def test_a_consistency_error_says_what_to_fix():
    errors = preview(THREE, "三项.csv")["errors"]
    assert (
        errors[0]
        == "三项.csv：B3 出生人数 10 ≠ C3 男 6 + D3 女 6 = 12（城关镇）：请核对 B3、C3、D3"
    )
    en = views.upload_preview(load(THREE.encode("utf-8"), "three.csv"), "en")["errors"]
    assert en[0] == "three.csv: B3 出生人数 10 ≠ C3 男 6 + D3 女 6 = 12 (城关镇): check B3, C3, D3"


def test_an_amount_carries_its_unit_and_the_files_own_figure():
    errors = preview(FEES, "费.csv")["errors"]
    assert errors[0] == (
        "费.csv：E3 已征金额(元) 999999 元（99.9999 万元） > D3 应征金额(元) 164000 元"
        "（16.4 万元）（城关镇，部分不能大于总数）：请核对 E3、D3"
    )


def test_formula_cells_of_a_derived_column_are_one_line():
    # as the loader gives them: one grouped finding of the column's formula cells
    refs = tuple(
        CellRef(cell=f"Q{row}", value=None, label="性别比", sheet="Sheet1", area=f"乡{row}")
        for row in range(6, 22)
    )
    grouped = finding(
        "load.derived_formula_no_value",
        file="表.xlsx",
        sheet="Sheet1",
        cells=refs,
        params={"area": "乡6", "label": "性别比", "value": "", "count": 16, "grouped": True},
    )
    other = finding("load.sheet_skipped", file="表.xlsx", sheet="说明")
    assert views.finding_lines([grouped, other], "zh") == [
        "表.xlsx：Sheet1!Q6:Q21“性别比”为公式且无计算结果（16 个单元格）；"
        "性别比由同行人数重新计算，不影响入库",
        "表.xlsx：工作表“说明”中没有报表（如填报说明），已跳过。",
    ]
    assert views.cell_range(["Q6", "Q8"]) == "Q6、Q8"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("verdict")
    url = f"sqlite:///{tmp / 'zhibiao.db'}"
    filled_store(url).dispose()
    c = create_app(app_config(tmp, url)).server.test_client()
    log_in(c, "ana")
    return c


def _button(client, verdict, checked, trigger: str) -> list:
    deps = client.get("/_dash-dependencies").json
    spec = next(d for d in deps if any(i["id"] == "upload-state" for i in d["inputs"]))
    body = {
        "output": spec["output"],
        "outputs": [
            {"id": p.split(".")[0], "property": p.split(".")[1].split("@")[0]}
            for p in spec["output"].strip(".").split("...")
        ],
        "inputs": [
            {"id": "upload-state", "property": "data", "value": verdict},
            {"id": "upload-accept", "property": "checked", "value": checked},
        ],
        "state": [{"id": "upload-lang", "property": "data", "value": "zh"}],
        "changedPropIds": [trigger],
    }
    response = post_callback(client, body)
    assert response.status_code == 200, response.text
    found = response.json["response"]
    return [
        found["upload-confirm"]["disabled"],
        found["upload-confirm"]["children"],
        found["upload-accept"]["style"],
    ]


def test_the_button_says_what_it_will_do(client):
    accept = {"verdict": "accept", "n": 3}
    assert _button(client, accept, False, "upload-state.data") == [
        True,
        "接受 3 项不一致并保存",
        {},
    ]
    assert _button(client, accept, True, "upload-accept.checked")[:2] == [
        False,
        "接受 3 项不一致并保存",
    ]
    ready = _button(client, {"verdict": "ready", "n": 0}, False, "upload-state.data")
    assert ready == [False, "确认保存", {"display": "none"}]
    refused = _button(client, {"verdict": "refused", "n": 2}, True, "upload-accept.checked")
    assert refused == [True, "不能保存", {"display": "none"}]
