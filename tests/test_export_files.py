"""`zhibiao export --format png`: a .png name holds one picture, several go to a .zip or a folder."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from dashboard_fixtures import filled_store

from dashboard.render import png_size, stop_renderer
from zhibiao.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def _renderer():
    yield
    stop_renderer()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'zhibiao.db'}"
    filled_store(url).dispose()
    return url


def export(db: str, out: Path, *extra: str) -> int:
    args = ["export", "--period", "2025-03", "--format", "png", "--out", str(out), "--db", db]
    return main([*args, *extra])


def test_a_png_name_gets_one_picture_of_the_chosen_indicator(db, tmp_path, capsys):
    out = tmp_path / "pack.png"
    assert export(db, out, "--indicator", "compliance") == 0
    data = out.read_bytes()
    assert data.startswith(PNG) and png_size(data) == (3200, 1800)
    assert capsys.readouterr().out.strip() == f"已写入 {out}"


def test_a_png_name_without_indicator_gets_the_first_ranking(db, tmp_path):
    out = tmp_path / "pack.png"
    assert export(db, out) == 0
    assert out.read_bytes().startswith(PNG)  # one picture, not a zip under a .png name


def test_several_charts_under_a_png_name_are_refused_and_nothing_written(db, tmp_path, capsys):
    out = tmp_path / "pack.png"
    assert export(db, out, "--indicator", "srb", "--indicator", "compliance") == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "pack.png 只能存一张图，而要导出 2 张" in err
    assert export(db, tmp_path / "pack.pdf", "--lang", "en") == 2
    assert "pack.pdf: a png export goes to a .png (one chart), a .zip" in capsys.readouterr().err


def test_several_charts_go_to_a_zip_or_a_folder(db, tmp_path, capsys):
    out = tmp_path / "charts.zip"
    assert export(db, out, "--indicator", "srb", "--indicator", "compliance") == 0
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["01-srb.png", "02-compliance.png"]
        assert archive.read("01-srb.png").startswith(PNG)
    folder = tmp_path / "charts"
    folder.mkdir()
    capsys.readouterr()
    assert export(db, folder, "--indicator", "srb", "--indicator", "fee_amount_rate") == 0
    assert sorted(p.name for p in folder.iterdir()) == ["01-srb.png", "02-fee_amount_rate.png"]
    assert (folder / "02-fee_amount_rate.png").read_bytes().startswith(PNG)
    said = capsys.readouterr().out.splitlines()
    assert said == [
        f"已写入 {folder / '01-srb.png'}",
        f"已写入 {folder / '02-fee_amount_rate.png'}",
    ]
