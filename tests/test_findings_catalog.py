"""Each finding code has its severity and acceptability in data/findings.toml and its words in
both languages; each finding message belongs to a code of that table."""

from __future__ import annotations

import pytest

from loaders.describe import describe
from loaders.types import finding, finding_kinds
from zhibiao import i18n


def test_every_code_has_a_severity_and_words_in_both_languages():
    kinds = finding_kinds()
    assert kinds["load.sum_mismatch"] == {"severity": "error", "acceptable": True}
    assert kinds["load.unrecognised_column"] == {"severity": "warning"}
    for code, spec in kinds.items():
        assert spec["severity"] in ("error", "warning", "note"), code
        for lang in i18n.LANGS:
            assert i18n.has(f"finding.{code}", lang), (code, lang)


def test_every_finding_message_is_of_a_listed_code():
    codes = set(finding_kinds())
    for lang in i18n.LANGS:
        keys = [k.removeprefix("finding.") for k in i18n.catalog(lang) if k.startswith("finding.")]
        stray = {k for k in keys if k.removesuffix("_grouped") not in codes} - {"load.unknown"}
        assert stray == set(), lang


def test_a_finding_takes_its_severity_from_the_table():
    made = finding("load.group_mismatch", file="a.xlsx", params={"area": "連江縣"})
    assert (made.severity, made.acceptable, made.sheet, made.cells) == ("error", True, None, ())
    with pytest.raises(KeyError):
        finding("load.no_such_code", file="a.xlsx")
    assert describe(finding("load.no_header", file="a.xlsx")).startswith("a.xlsx：")
