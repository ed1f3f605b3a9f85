"""Every field a user supplies is bounded at the edge, and file names lose their bidirectional
controls: the loader refuses an over-long file name, sheet title or township name with a message
in both languages (nothing stored), the store refuses over-long accounts and clips the audit
trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from loaders import load
from loaders.describe import describe
from store import Store
from zhibiao import ingest
from zhibiao.text import MAX_AUDIT_TEXT, MAX_USER_NAME, clean_file_name

REPORT = (
    "示例县2024年1-3月出生情况\n乡镇,出生人数,男,女\n东乡,30,16,14\n西乡,25,12,13\n合计,55,28,27\n"
)
#: A name written `report‮xslx.exe` shows as `reportexe.xlsx` where bidi controls are honoured.
SPOOFED = "示例县2024年1-3月\u202excsv.exe\u202c.csv"


def store_at(url: str) -> Store:
    store = Store(url)
    store.create()
    return store


def test_bidi_controls_are_stripped_from_the_file_name_shown_and_stored(db_url):
    store = store_at(db_url)
    done = ingest.ingest(REPORT.encode(), SPOOFED, store, user="ana")
    assert done.stored
    assert done.result.file == "示例县2024年1-3月xcsv.exe.csv"
    upload = store.uploads()[0]
    assert upload["file"] == "示例县2024年1-3月xcsv.exe.csv"
    assert store.original(upload["id"])[0] == "示例县2024年1-3月xcsv.exe.csv"
    assert set(store.values()["area"]) == {"东乡", "西乡", "合计"}
    store.dispose()


def test_clean_file_name_keeps_the_last_path_part_without_controls():
    assert clean_file_name("C:\\报表\\a\u2066b\u2069.xlsx") == "ab.xlsx"
    assert clean_file_name("../../etc/\tpasswd\n") == "passwd"
    assert clean_file_name("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069x") == "x"
    assert clean_file_name(None) == ""


def test_a_file_name_over_255_characters_is_refused_before_reading(db_url):
    store = store_at(db_url)
    name = "报" * 300 + ".csv"
    done = ingest.ingest(REPORT.encode(), name, store, user="ana")
    assert not done.stored
    [finding] = done.result.errors
    assert finding.code == "read.file_name_too_long"
    assert describe(finding, "zh") == (
        "报报报报报报报报报报报报报报报报报报报报报报报…：文件名有 304 个字符，超过上限 255 个，已拒收。"
        "请改短文件名后再上传。"
    )
    assert "the file name has 304 characters, more than the limit of 255; file refused" in (
        describe(finding, "en")
    )
    assert store.uploads() == []
    store.dispose()


def test_a_township_name_over_200_characters_is_refused_naming_its_cell(db_url):
    store = store_at(db_url)
    long_name = "长" * 201 + "镇"
    report = REPORT.replace("西乡", long_name)
    done = ingest.ingest(report.encode(), "示例县2024年1-3月.csv", store, user="ana")
    assert not done.stored
    [finding] = [f for f in done.result.errors if f.code == "load.area_too_long"]
    assert finding.cells[0].cell == "A4"
    zh = describe(finding, "zh")
    assert "A4" in zh
    assert (
        "乡镇名“长长长长长长长长长长长长长长长长长长长长长长长…”有 202 个字符，超过上限 200 个，已拒收。"
        in zh
    )
    assert "the township name “长长" in describe(finding, "en")
    assert store.uploads() == [] and store.values().empty
    # 200 characters fit (the values column holds them on PostgreSQL too)
    fits = REPORT.replace("西乡", "长" * 199 + "镇")
    assert ingest.ingest(fits.encode(), "示例县2024年1-3月.csv", store, user="ana").stored
    assert "长" * 199 + "镇" in set(store.values()["area"])
    store.dispose()


def test_a_sheet_title_over_200_characters_is_refused():
    caption = "表" * 201
    html = (
        f"<html><body><table><caption>{caption}</caption>"
        "<tr><td>示例县2024年1-3月出生情况</td></tr>"
        "<tr><td>乡镇</td><td>出生人数</td><td>男</td><td>女</td></tr>"
        "<tr><td>东乡</td><td>30</td><td>16</td><td>14</td></tr>"
        "<tr><td>合计</td><td>30</td><td>16</td><td>14</td></tr></table></body></html>"
    )
    result = load(html.encode(), "示例县2024年1-3月.html")
    assert not result.ok
    [finding] = result.errors
    assert finding.code == "read.sheet_name_too_long"
    assert (
        "工作表名“表表表表表表表表表表表表表表表表表表表表表表表…”有 201 个字符，超过上限 200 个"
        in (describe(finding, "zh"))
    )
    assert result.values.empty


def test_the_store_refuses_over_long_accounts_and_clips_the_audit_trail(db_url):
    store = store_at(db_url)
    with pytest.raises(ValueError, match="at most 200 characters"):
        store.add_user("u" * (MAX_USER_NAME + 1), "viewer", "a-password")
    with pytest.raises(ValueError, match="at most 256 characters"):
        store.add_user("vic", "viewer", "p" * 257)
    store.add_user("vic", "viewer", "a-password")
    with pytest.raises(ValueError, match="at most 256 characters"):
        store.set_password("vic", "p" * 257)
    assert store.authenticate("vic", "a-password") is not None
    store.audit(
        "x" * 100_000, "login_failed" * 20, {"file": "f" * 100_000, "list": list(range(500))}
    )
    [entry] = [e for e in store.audit_log() if e["user"].startswith("x")]
    assert len(entry["user"]) == MAX_USER_NAME and entry["user"].endswith("…")
    assert len(entry["action"]) == 100
    assert len(entry["detail"]["file"]) == MAX_AUDIT_TEXT
    assert entry["detail"]["list"] == list(range(100))
    store.dispose()
