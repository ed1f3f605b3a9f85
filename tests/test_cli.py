"""The command line, in-process (main([...]) with capsys) and as the installed `zhibiao` script."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from county_variants import bump_boys, report, with_cell

from store import Store
from zhibiao import samples as ms
from zhibiao.cli import _plain, main

ZHIBIAO = Path(sys.executable).parent / "zhibiao"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


# -- usage -----------------------------------------------------------------------------------


def test_usage_errors_exit_2(sqlite_url, capsys):
    assert main([]) == 2
    assert main(["table", "--db", sqlite_url]) == 2  # --period is required
    assert main(["table", "--db", sqlite_url, "--period", "2025-13"]) == 2
    assert main(["table", "--db", sqlite_url, "--period", "2025-10", "--format", "doc"]) == 2
    assert main(["user", "add", "x", "--db", sqlite_url]) == 2  # --role is required
    assert main(["user", "add", "x", "--role", "root", "--db", sqlite_url]) == 2
    assert "--period" in capsys.readouterr().err


def test_help_is_in_the_language_asked(capsys):
    assert main(["ingest", "--help", "--lang", "en"]) == 0
    assert "load report files" in capsys.readouterr().out
    assert main(["ingest", "--help"]) == 0
    assert "载入报表文件" in capsys.readouterr().out


# -- user add --------------------------------------------------------------------------------


def test_user_add_reads_two_lines_from_stdin(db_url, monkeypatch, capsys):
    _stdin(monkeypatch, "correct horse 电池\ncorrect horse 电池\n")
    assert main(["user", "add", "王芳", "--role", "analyst", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == "已创建账号 王芳（分析）"
    store = Store(db_url)
    assert store.authenticate("王芳", "correct horse 电池")["role"] == "analyst"
    assert store.authenticate("王芳", "correct horse") is None
    store.dispose()


def test_user_add_refuses_a_mismatch_and_a_duplicate(sqlite_url, monkeypatch, capsys):
    _stdin(monkeypatch, "first\nsecond\n")
    assert main(["user", "add", "li", "--role", "viewer", "--db", sqlite_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == "the two passwords differ; no account created"
    assert Store(sqlite_url).get_user("li") is None

    _stdin(monkeypatch, "only-one-line\n")
    assert main(["user", "add", "li", "--role", "viewer", "--db", sqlite_url]) == 1
    _stdin(monkeypatch, "\n\n")
    assert main(["user", "add", "li", "--role", "viewer", "--db", sqlite_url]) == 1
    assert Store(sqlite_url).users() == []

    _stdin(monkeypatch, "pw-1\npw-1\n")
    assert main(["user", "add", "li", "--role", "viewer", "--db", sqlite_url]) == 0
    _stdin(monkeypatch, "pw-2\npw-2\n")
    assert main(["user", "add", "li", "--role", "admin", "--db", sqlite_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip().endswith("user li already exists")
    store = Store(sqlite_url)
    assert store.get_user("li")["role"] == "viewer"
    assert store.authenticate("li", "pw-1") is not None


def test_user_add_refuses_an_over_long_name_or_password(db_url, monkeypatch, capsys):
    _stdin(monkeypatch, "pw-1\npw-1\n")
    assert main(["user", "add", "n" * 201, "--role", "viewer", "--db", db_url]) == 1
    assert capsys.readouterr().err.strip() == "用户名最多 200 个字符。"
    long = "p" * 257
    _stdin(monkeypatch, f"{long}\n{long}\n")
    assert main(["user", "add", "li", "--role", "viewer", "--db", db_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == "A password has at most 256 characters."
    store = Store(db_url)
    assert store.users() == []
    store.dispose()


@pytest.mark.slow  # the installed script, run as a process
def test_installed_script_user_add_from_a_pipe(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    done = subprocess.run(
        [str(ZHIBIAO), "user", "add", "admin", "--role", "admin", "--db", url, "--lang", "en"],
        input="s3cret\ns3cret\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "account admin (admin) created"
    assert Store(url).authenticate("admin", "s3cret")["role"] == "admin"


def test_db_from_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("ZHIBIAO_DB", url)
    _stdin(monkeypatch, "pw\npw\n")
    assert main(["user", "add", "zhao", "--role", "viewer"]) == 0
    assert (tmp_path / "env.db").exists()
    assert Store(url).get_user("zhao")["role"] == "viewer"


def test_default_db_is_zhibiao_db_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ZHIBIAO_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, "pw\npw\n")
    assert main(["user", "add", "qian", "--role", "viewer"]) == 0
    assert (tmp_path / "zhibiao.db").exists()


# -- no data ---------------------------------------------------------------------------------


def test_table_and_brief_without_data_exit_1(db_url, capsys):
    assert main(["table", "--period", "2025-10", "--db", db_url]) == 1
    assert capsys.readouterr().err.strip() == "2025-10（累计）没有数据"
    assert main(["brief", "--period", "2025-10", "--db", db_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == "no data for 2025-10 (year to date)"


def test_ingest_missing_file_exits_1(sqlite_url, tmp_path, capsys):
    missing = tmp_path / "nope.xlsx"
    assert main(["ingest", str(missing), "--db", sqlite_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == f"{missing}: no such file"
    assert Store(sqlite_url).uploads() == []


def test_json_output_is_valid_json_without_nan():
    text = json.dumps(_plain([{"a": float("nan"), "b": 1.5, "c": [float("nan")]}]))
    assert json.loads(text) == [{"a": None, "b": 1.5, "c": [None]}]


# -- end to end with the sample county -------------------------------------------------------


def test_ingest_several_files_each_all_or_nothing(db_url, tmp_path, capsys):
    jan = report(tmp_path / "jan", 1)
    feb = report(tmp_path / "feb", 2, lambda c: bump_boys(c, 2025, 2, "城关镇"))
    mar = with_cell(report(tmp_path / "mar", 3), "D9", "abc", "三月坏表.xlsx")
    code = main(["ingest", str(jan), str(feb), str(mar), "--db", db_url, "--user", "王芳"])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines()[0] == f"{jan.name}：已入库（第 1 号）"
    assert out.splitlines()[1].startswith(
        "  统计期 2025-01；口径 累计；乡镇 15 个；识别字段 24 个："
    )
    assert out.splitlines()[-1] == "共 3 个文件：入库 1 个，拒收 2 个"
    lines = err.splitlines()
    assert lines[0].startswith(f"{feb.name}：拒收，")
    assert f"{feb.name}：1-2月!B8 出生数 " in err  # file, sheet, cell of the boys ≠ births rule
    assert any(line.startswith("三月坏表.xlsx") and "D9" in line for line in lines)
    store = Store(db_url)
    assert [(u["file"], u["user"]) for u in store.uploads()] == [(jan.name, "王芳")]
    assert store.periods() == ["2025-01"]

    # the analyst accepts February's inconsistency: stored, and only the text cell stays refused
    code = main(["ingest", str(feb), "--db", db_url, "--accept-inconsistent", "--lang", "en"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0] == f"{feb.name}: stored (upload 2)"
    assert "  accepted inconsistency: " in out
    assert main(["ingest", str(mar), "--db", db_url, "--accept-inconsistent"]) == 1
    assert store.periods() == ["2025-01", "2025-02"]


def test_table_json_brief_and_wide_outputs(sqlite_url, tmp_path, capsys):
    files = [str(report(tmp_path / f"m{m}", m)) for m in (1, 2)]
    assert main(["ingest", *files, "--db", sqlite_url]) == 0
    capsys.readouterr()

    assert main(["table", "--period", "2025-02", "--db", sqlite_url]) == 0
    records = json.loads(capsys.readouterr().out)
    county = ms.generate()
    births = sum(county.months[(2025, m)][a]["births"] for m in (1, 2) for a in county.townships)
    first = records[0]
    assert (first["area"], first["is_total"], first["indicator"]) == ("青川县", True, "births")
    assert (first["period"], first["basis"], first["value"]) == ("2025-02", "ytd", births)
    assert {r["area"] for r in records} == {"青川县", *county.townships}
    assert records[-1]["area"] == "木鱼乡"  # areas in the report's row order, 木鱼乡 last
    # each record says how its interval and status were found (docs/statistics.md)
    srb = next(r for r in records if r["is_total"] and r["indicator"] == "srb")
    assert (srb["interval_method"], srb["status_method"]) == ("clopper_pearson",) * 2
    rate = next(r for r in records if r["is_total"] and r["indicator"] == "birth_rate")
    assert (rate["interval_method"], rate["status_method"]) == ("byars", None)
    assert first["change_method"] is None  # no previous year stored: no change to test

    month = sum(county.months[(2025, 2)][a]["births"] for a in county.townships)
    assert main(["table", "--period", "2025-02", "--basis", "month", "--db", sqlite_url]) == 0
    assert json.loads(capsys.readouterr().out)[0]["value"] == month

    out = tmp_path / "table.xlsx"
    assert main(["table", "--period", "2025-02", "--format", "xlsx", "--db", sqlite_url]) == 2
    assert (
        main(
            [
                "table",
                "--period",
                "2025-02",
                "--format",
                "xlsx",
                "--out",
                str(out),
                "--db",
                sqlite_url,
            ]
        )
        == 0
    )
    assert out.read_bytes()[:2] == b"PK"
    csv_out = tmp_path / "table.csv"
    assert (
        main(
            [
                "table",
                "--period",
                "2025-02",
                "--format",
                "csv",
                "--out",
                str(csv_out),
                "--db",
                sqlite_url,
            ]
        )
        == 0
    )
    assert "木鱼乡" in csv_out.read_text("utf-8-sig")
    capsys.readouterr()
    # csv without --out goes to standard output, the same table
    assert main(["table", "--period", "2025-02", "--format", "csv", "--db", sqlite_url]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[0] == "地区" and lines[1].split(",")[0] == "青川县"
    assert lines[1].split(",")[1] == str(births)

    assert main(["brief", "--period", "2025-02", "--db", sqlite_url]) == 0
    assert f"全县出生 {births} 人" in capsys.readouterr().out

    pack = tmp_path / "scorecard.xlsx"
    args = ["export", "--period", "2025-02", "--format", "xlsx", "--out", str(pack)]
    assert main([*args, "--db", sqlite_url]) == 0
    assert pack.read_bytes()[:2] == b"PK"
    assert (
        main(
            [
                "export",
                "--period",
                "2025-09",
                "--format",
                "pdf",
                "--out",
                str(pack),
                "--db",
                sqlite_url,
            ]
        )
        == 1
    )
    assert main(["table", "--period", "2025-03", "--db", sqlite_url]) == 1


@pytest.mark.slow  # the installed script, run as a process
def test_installed_script_refuses_a_bad_file_on_stderr(tmp_path):
    bad = with_cell(report(tmp_path, 1), "D9", "abc", "bad.xlsx")
    url = f"sqlite:///{tmp_path / 'z.db'}"
    done = subprocess.run(
        [str(ZHIBIAO), "ingest", str(bad), "--db", url, "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == "bad.xlsx: refused (1 error(s)), nothing stored"
    assert any("bad.xlsx" in line and "D9" in line for line in done.stderr.splitlines()[1:])
    assert Store(url).uploads() == []


def _passwords(out: str) -> dict[str, str]:
    found = {}
    for line in out.splitlines():
        for name in ("admin", "analyst", "viewer"):
            if line.startswith(f"  {name} ({name}): "):
                found[name] = line.split(": ", 1)[1]
    return found


def test_demo_loads_once_and_resets_the_demo_passwords(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    folder = tmp_path / "samples"
    assert main(["demo", "--db", url, "--dir", str(folder), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    first = _passwords(out)
    assert sorted(first) == ["admin", "analyst", "viewer"]
    assert "open http://127.0.0.1:8050/login in a browser to log in" in out
    assert out.splitlines()[-1].startswith("青川县 2025-11, year to date: Births 3343 persons, ")
    assert len(list(folder.iterdir())) == 13
    store = Store(url)
    assert len(store.uploads()) == 13
    n_values = len(store.values())

    assert main(["demo", "--db", url, "--dir", str(folder), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    second = _passwords(out)
    assert out.count("already stored") == 13
    assert len(store.uploads()) == 13 and len(store.values()) == n_values
    for name in ("admin", "analyst", "viewer"):
        assert second[name] != first[name]
        assert store.authenticate(name, first[name]) is None
        assert store.authenticate(name, second[name])["role"] == name


@pytest.mark.slow  # the server, run as a process
def test_serve_answers_the_login_page(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    server = subprocess.Popen(
        [str(ZHIBIAO), "serve", "--port", str(port), "--workers", "1", "--db", url, "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=60)
    assert f"dashboard at http://127.0.0.1:{port}/" in out


def test_a_path_is_an_sqlite_file_and_a_bad_address_is_a_sentence(tmp_path: Path, capsys):
    path = tmp_path / "看板.db"
    report_file = ms.write_samples(tmp_path / "samples")[0]
    assert main(["ingest", "--db", str(path), str(report_file)]) == 0
    assert path.exists() and Store(f"sqlite:///{path}").uploads()[0]["file"] == report_file.name
    capsys.readouterr()
    assert main(["table", "--db", "postgresql://:not a port/x", "--period", "2024-03"]) == 2
    assert capsys.readouterr().err.strip() == (
        "无法识别数据库地址“postgresql://:not a port/x”：请给出 SQLAlchemy 地址"
        "（如 sqlite:///zhibiao.db、postgresql://用户@主机/库名）或 SQLite 数据库文件的路径"
    )
