"""`make corpus`: every file of a folder through the ingest path, one line a file."""

from __future__ import annotations

from workbooks import write_csv, write_xlsx

from zhibiao import corpus


def test_one_line_a_file_stored_or_refused(tmp_path, capsys):
    write_csv(
        tmp_path / "bdmd.csv",
        [
            ["統計年月", "區域別", "村里", "出生數", "出生數-男", "出生數-女"],
            ["10307", "連江縣南竿鄉", "仁愛村", "1", "0", "1"],
            ["10307", "連江縣南竿鄉", "介壽村", "3", "2", "1"],
            ["10307", "連江縣北竿鄉", "坂里村", "2", "1", "1"],
        ],
        "utf-8-sig",
    )
    write_xlsx(
        tmp_path / "yb_5-3.xlsx", [["地区", "总人口"], ["全国", 30], ["东区", 10], ["西区", 20]]
    )
    (tmp_path / "README.md").write_text("not a report", encoding="utf-8")
    assert corpus.main([str(tmp_path), "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "bdmd.csv  stored: 2 areas, 2014-07 (single month); Births 6; Births, boys 3; Births, girls 3",
        "yb_5-3.xlsx  refused: sheet “Sheet”: no report period was found in the title, sheet name or"
        " file name (such as 2024年1-3月), nor a statistical month in the table; file refused."
        " Give the period: --period YYYY-MM on the command line, or the period field of the"
        " upload page.",
    ]
    assert corpus.main([str(tmp_path), "--period", "yb_5-3.xlsx=2022-12"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[1]
        == "yb_5-3.xlsx  入库：2 个区域，统计期 2022-12（累计）；总人口 合计 30；合计行 全国 的 总人口 为 30"
    )
