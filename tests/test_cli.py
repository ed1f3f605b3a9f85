"""The command line, in-process (main([...]) with capsys) and as the installed `zhibiao` script."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from zhibiao.dashboard.cli import main
from zhibiao.store import Store

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
    assert capsys.readouterr().out.strip() == "已创建账号 王芳(分析)"
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
    assert capsys.readouterr().err.strip() == "2025-10(累计)没有数据"
    assert main(["brief", "--period", "2025-10", "--db", db_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == "no data for 2025-10 (year to date)"


def test_ingest_missing_file_exits_1(sqlite_url, tmp_path, capsys):
    missing = tmp_path / "nope.xlsx"
    assert main(["ingest", str(missing), "--db", sqlite_url, "--lang", "en"]) == 1
    assert capsys.readouterr().err.strip() == f"{missing}: no such file"
    assert Store(sqlite_url).uploads() == []


def test_json_output_is_valid_json_without_nan():
    from zhibiao.dashboard.cli import _plain

    text = json.dumps(_plain([{"a": float("nan"), "b": 1.5, "c": [float("nan")]}]))
    assert json.loads(text) == [{"a": None, "b": 1.5, "c": [None]}]
