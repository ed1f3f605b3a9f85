"""Hostile files through the real server (gunicorn, two workers) in a real Chromium.

An analyst uploads, one after another, a zip bomb, a billion-laughs workbook, a sheet with a
value at XFD1048576, a macro .xlsm, a PNG named .xlsx, a legal file too big to read in the
parser's time (under a server whose child process has 0.2 s), and a file over the upload cap.
Each is refused on the page in Chinese naming the file (and the cell where there is one),
nothing is stored, and afterwards the server still answers: the overview shows the county's
births, and the gunicorn master and the same two workers are alive.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import hostile
import pytest

from e2e.conftest import (
    TEST_UPLOAD_BYTES,
    Server,
    login,
    post_callback,
    start_server,
    stop_server,
)
from store import Store

pytestmark = pytest.mark.browser

#: The sample county's births, January–March 2025 (tests/dashboard_fixtures.py).
COUNTY_BIRTHS = "874"
#: The parser's time in the slow server's settings.
CHILD_SECONDS = 0.2
#: Rows of the legal report the slow server cannot read in CHILD_SECONDS.
SLOW_ROWS = 20_000


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("slow")
    started = start_server(folder, f"[limits]\nchild_seconds = {CHILD_SECONDS}\n")
    try:
        yield started
    finally:
        stop_server(started)


def children(pid: int) -> set[int]:
    """The process ids whose parent is `pid` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name may hold spaces: the fields after its closing parenthesis
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def gunicorn_workers(server: Server) -> set[int]:
    """The master's live worker processes (the master is the server process itself)."""
    assert server.proc.poll() is None, server.log.read_text()[-3000:]
    workers = children(server.proc.pid)
    assert len(workers) == 2, workers
    return workers


@pytest.fixture(scope="module")
def workers_at_start(server) -> set[int]:
    return gunicorn_workers(server)


@pytest.fixture(scope="module")
def analyst(browser, server):
    page = login(browser, server, "ana")
    yield page
    page.context.close()


def upload(page, server: Server, path: Path) -> tuple[list[str], str]:
    """Drop `path` on the upload page: the error lines and the verdict shown."""
    page.goto(server.base + "/upload")
    page.wait_for_selector("#upload-file")
    page.set_input_files("#upload-file input[type=file]", str(path))
    page.wait_for_selector("#upload-verdict", timeout=90_000)
    errors = page.locator("#upload-errors li").all_inner_texts()
    assert page.locator("#upload-confirm").is_disabled()
    return errors, page.locator("#upload-verdict").inner_text()


def assert_nothing_stored(server: Server, name: str, checked: bool = True) -> None:
    """The store holds its two uploads and six periods; `checked`: the refusal is audited."""
    store = Store(server.db_url)
    try:
        uploads = store.uploads()
        assert len(uploads) == 2
        assert all(u["file"] != name for u in uploads)
        assert store.periods() == ["2024-01", "2024-02", "2024-03", "2025-01", "2025-02", "2025-03"]
        audited = [e for e in store.audit_log() if e["action"] == "upload.check"]
        assert any(e["detail"].get("file") == name for e in audited) == checked
    finally:
        store.dispose()


def assert_still_serving(page, server: Server, workers: set[int]) -> None:
    """The overview loads with the county's births, and no gunicorn process died."""
    page.goto(server.base + "/?period=2025-03")
    page.wait_for_selector("#card-births .card-value", timeout=60_000)
    assert page.locator("#card-births .card-value").inner_text() == COUNTY_BIRTHS
    assert gunicorn_workers(server) == workers


REFUSED = "文件有错误,不能保存;请修改后重新上传。"


def test_zip_bomb(analyst, server, workers_at_start, tmp_path: Path):
    path = hostile.write_zip_bomb(tmp_path, "压缩炸弹.xlsx", megabytes=300)
    errors, verdict = upload(analyst, server, path)
    assert len(errors) == 1
    head, _, tail = errors[0].partition("（压缩比 ")
    assert head == "压缩炸弹.xlsx：文件内部部件 xl/media/zeros.bin 解压后达 300.0 MB"
    ratio, _, rest = tail.partition(":1）")
    assert int(ratio) > 100  # 300 MB of zeros in a few hundred KB
    assert rest == "，疑似压缩炸弹，已拒收。"
    assert verdict == REFUSED
    assert_nothing_stored(server, path.name)
    assert_still_serving(analyst, server, workers_at_start)


def test_billion_laughs(analyst, server, workers_at_start, tmp_path: Path):
    path = hostile.write_billion_laughs(tmp_path, "实体炸弹.xlsx")
    errors, verdict = upload(analyst, server, path)
    assert errors == [
        "实体炸弹.xlsx：文件中含有 XML 文档类型或实体声明（DOCTYPE/ENTITY），出于安全原因已拒收。"
        "请在 Excel 或 WPS 中重新保存后再上传。"
    ]
    assert verdict == REFUSED
    assert_nothing_stored(server, path.name)
    assert_still_serving(analyst, server, workers_at_start)


def test_a_value_at_xfd1048576(analyst, server, workers_at_start, tmp_path: Path):
    path = hostile.write_far_cell(tmp_path, "XFD1048576", "远处单元格.xlsx")
    errors, verdict = upload(analyst, server, path)
    assert len(errors) == 1
    assert errors[0].startswith("远处单元格.xlsx")
    assert "工作表“数据”在 XFD1048576 单元格仍有内容（1048576 行 × 16384 列）" in errors[0]
    assert verdict == REFUSED
    assert_nothing_stored(server, path.name)
    assert_still_serving(analyst, server, workers_at_start)


def test_a_macro_workbook(analyst, server, workers_at_start, tmp_path: Path):
    path = hostile.write_vba_xlsm(tmp_path, "宏.xlsm")
    errors, verdict = upload(analyst, server, path)
    assert errors == [
        "宏.xlsm：文件含有宏代码，出于安全原因已拒收。"
        "请在 Excel 或 WPS 中另存为 .xlsx（不含宏）后再上传。"
    ]
    assert verdict == REFUSED
    assert_nothing_stored(server, path.name)
    assert_still_serving(analyst, server, workers_at_start)


def test_a_picture_named_xlsx(analyst, server, workers_at_start, tmp_path: Path):
    path = hostile.write_png(tmp_path, "图片.xlsx")
    errors, verdict = upload(analyst, server, path)
    assert errors == [
        "图片.xlsx：按内容看不是电子表格或 CSV 文件（与文件名无关），已拒收。"
        "请上传 .xlsx、.xls 或 .csv 报表。"
    ]
    assert verdict == REFUSED
    assert_nothing_stored(server, path.name)
    assert_still_serving(analyst, server, workers_at_start)


def test_a_file_over_the_upload_cap(analyst, server, workers_at_start, tmp_path: Path):
    path = tmp_path / "太大.xlsx"
    path.write_bytes(b"\0" * (TEST_UPLOAD_BYTES + 1024 * 1024))  # 3.0 MB
    analyst.goto(server.base + "/upload")
    analyst.wait_for_selector("#upload-file")
    analyst.set_input_files("#upload-file input[type=file]", str(path))
    note = analyst.locator("#upload-too-big")
    note.wait_for(state="visible", timeout=30_000)
    assert note.inner_text() == "太大.xlsx：文件 3.0 MB，超过单个文件 2.0 MB 的上限，没有上传。"
    assert analyst.locator("#upload-verdict").count() == 0
    # the same bytes sent past the page: the server's cap answers with the alert, not a 413
    response = post_callback(
        analyst,
        server,
        "upload-preview",
        {
            "upload-file.contents": "data:;base64," + base64.b64encode(path.read_bytes()).decode(),
            "upload-file.filename": path.name,
            "upload-lang.data": "zh",
            "session-user.data": "ana",
        },
    )
    assert response.status == 200
    assert "文件太大:单个文件不能超过 2.0 MB,没有上传。" in json.dumps(
        response.json(), ensure_ascii=False
    )
    assert_nothing_stored(server, path.name, checked=False)
    assert_still_serving(analyst, server, workers_at_start)


def test_a_file_the_parser_cannot_finish_in_its_time(browser, slow_server, tmp_path: Path):
    workers = gunicorn_workers(slow_server)
    path = hostile.write_township_xlsx(tmp_path, "两万行.xlsx", towns=SLOW_ROWS)
    assert path.stat().st_size < TEST_UPLOAD_BYTES
    page = login(browser, slow_server, "ana")
    try:
        errors, verdict = upload(page, slow_server, path)
        assert errors == [f"两万行.xlsx：读取超过 {CHILD_SECONDS} 秒仍未完成，已中止并拒收。"]
        assert verdict == REFUSED
        assert_nothing_stored(slow_server, path.name)
        assert_still_serving(page, slow_server, workers)
    finally:
        page.context.close()
