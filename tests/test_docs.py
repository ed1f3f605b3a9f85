"""The documentation holds: every file it cites exists, docs/settings.md is what the settings say,
and the worked example of docs/indicators.md is what the engine computes."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from indicators.engine import compute
from indicators.warnings import warning_counts, warning_rows
from zhibiao.config import ENVIRONMENT, Limits, Settings
from zhibiao.datafiles import data_text
from zhibiao.settings_doc import settings_markdown

REPO = Path(__file__).resolve().parent.parent
#: The documents whose references are checked: the README, the changelog and docs/.
DOCUMENTS = [
    "README.md",
    "CHANGELOG.md",
    *sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.md")),
]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
#: Flask config keys that look like environment variables but are not read from the environment.
FLASK_KEYS = {"ZHIBIAO_GUARDED", "ZHIBIAO_USER_COMPONENT"}


def references(text: str) -> list[str]:
    """Relative file references of a markdown text: link targets, and code spans that name a
    repository path (`data/county.toml`, `docs/cli.md`, `reports.md`)."""
    found = [t.split("#")[0] for t in LINK.findall(text)]
    for span in CODE.findall(text):
        if any(c in span for c in "*{}<>$:|") or span.startswith(("/", "-", ".")):
            continue
        if span.endswith(".md") or ("/" in span and "." in span.rsplit("/", 1)[-1]):
            found.append(span)
    return [r for r in found if r and not re.match(r"^[a-z]+:", r)]


def test_every_file_the_documents_cite_exists():
    missing = []
    for doc in DOCUMENTS:
        for ref in references((REPO / doc).read_text("utf-8")):
            # relative to the document (docs/cli.md → reports.md), or to the repository
            if not ((REPO / doc).parent / ref).exists() and not (REPO / ref).exists():
                missing.append(f"{doc}: {ref}")
    assert missing == []


def test_the_reference_check_reads_links_and_paths():
    text = "see [the cli](cli.md#exit) and `data/county.toml`, not `zhibiao.db` or `/login`"
    assert references(text) == ["cli.md", "data/county.toml"]
    assert "docs/cli.md" in DOCUMENTS and "README.md" in DOCUMENTS


def test_settings_md_is_generated_from_the_settings():
    # python -m zhibiao.settings_doc > docs/settings.md
    assert (REPO / "docs" / "settings.md").read_text("utf-8") == settings_markdown()


def test_every_environment_variable_the_code_reads_is_documented():
    names = set()
    for package in ("zhibiao", "loaders", "store", "indicators", "dashboard", "exports"):
        for path in (REPO / package).rglob("*.py"):
            names |= set(re.findall(r"\"(ZHIBIAO_[A-Z_]+)\"", path.read_text("utf-8")))
    assert names - FLASK_KEYS == set(ENVIRONMENT)
    assert "ZHIBIAO_DB" in names and "ZHIBIAO_SECRET_KEY" in names


def test_the_shipped_county_file_holds_the_code_defaults():
    # a county's own file may leave a key out: it then gets the default of zhibiao/config.py
    shipped = tomllib.loads(data_text("county.toml"))
    assert shipped["limits"] == dataclasses.asdict(Limits())
    assert shipped["county"]["year_start_month"] == Settings().year_start_month
    assert (shipped["county"]["name"] or None) == Settings().county


# --- the worked example of docs/indicators.md --------------------------------------------------

TOWNS = {
    "甲镇": (78, 53, 25, 6, 40, 38),
    "乙镇": (180, 93, 87, 30, 50, 40),
    "丙乡": (41, 22, 19, 2, 20, 12),
}
FIELDS = (
    "births",
    "births_male",
    "births_female",
    "out_of_policy",
    "fee_persons_due",
    "fee_persons_paid",
)


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    rows = [
        {"area": area, "is_total": False, "period": "2024-06", "basis": "ytd", "field": f,
         "value": float(v), "sheet": "S", "cell": "", "row": i}
        for i, (area, values) in enumerate(TOWNS.items())
        for f, v in zip(FIELDS, values, strict=True)
    ]  # fmt: skip
    return compute(pd.DataFrame(rows), "2024-06", "ytd", settings=Settings(county="示例县"))


def _figure(table: pd.DataFrame, area: str, indicator: str) -> dict:
    rows = table[(table["area"] == area) & (table["indicator"] == indicator)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


@pytest.mark.parametrize(
    ("area", "indicator", "value", "low95", "high95", "status"),
    [
        ("甲镇", "srb", 212.00, 129.44, 356.02, "amber"),
        ("丙乡", "srb", 115.79, 59.81, 226.20, "watch"),
        ("乙镇", "srb", 106.90, None, None, "green"),
        ("示例县", "srb", 128.24, 101.44, 162.41, "watch"),
        ("示例县", "compliance", 87.29, 82.98, 90.85, "watch"),
        ("乙镇", "compliance", 83.33, 77.07, 88.46, "amber"),
        ("甲镇", "fee_coverage", 95.00, None, None, "green"),
        ("乙镇", "fee_coverage", 80.00, 66.28, 89.97, "amber"),
        ("丙乡", "fee_coverage", 60.00, 36.05, 80.88, "amber"),
        ("示例县", "fee_coverage", 81.82, None, None, "amber"),
    ],
)
def test_the_worked_example_figures(example, area, indicator, value, low95, high95, status):
    got = _figure(example, area, indicator)
    assert (got["value"], got["status"]) == (value, status)
    if low95 is not None:
        assert (got["low95"], got["high95"]) == (low95, high95)


def test_the_worked_example_ranks_scores_and_warnings(example):
    ranks = {
        key: {a: int(_figure(example, a, key)["rank"]) for a in TOWNS}
        for key in ("srb", "compliance", "fee_coverage", "composite")
    }
    assert ranks["srb"] == {"乙镇": 1, "丙乡": 2, "甲镇": 3}
    assert ranks["compliance"] == {"丙乡": 1, "甲镇": 2, "乙镇": 3}
    assert ranks["fee_coverage"] == {"甲镇": 1, "乙镇": 2, "丙乡": 3}
    assert {a: _figure(example, a, "composite")["value"] for a in TOWNS} == {
        "甲镇": 40.0,
        "乙镇": 50.0,
        "丙乡": 60.0,
    }
    srb = _figure(example, "甲镇", "srb")
    assert (srb["low998"], srb["high998"]) == (99.90, 481.80)
    listed = [(r["area"], r["indicator"]) for r in warning_rows(example, "zh")]
    assert listed == [
        ("示例县", "fee_coverage"),
        ("甲镇", "srb"),
        ("乙镇", "compliance"),
        ("乙镇", "fee_coverage"),
        ("丙乡", "fee_coverage"),
    ]
    assert warning_counts(example)["watch"] == 3
    reason = warning_rows(example, "zh")[1]["reason"]
    assert reason == "甲镇 出生人口性别比 212.00(95%区间 129–356),高于正常上限 107"
