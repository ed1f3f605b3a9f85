"""What a ranking compares each area with, on the sample county's 2025-03 (15 townships).

Counts against the county's per-township average (never the county total), sex-ratio bars say
where they start, percentage axes stop at 100, and the title stays clear of the labels above
the plot in both languages.
"""

from __future__ import annotations

import pytest
from dashboard_fixtures import sample_table

from dashboard.figures import ranking_bar
from dashboard.figures.style import (
    BAR_LABEL_SIZE,
    LABEL_GAP,
    PLANNED_PLOT_WIDTH,
    TITLE_ROOM,
    text_width,
)


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory):
    return sample_table(f"sqlite:///{tmp_path_factory.mktemp('refs') / 'zhibiao.db'}")


def county_and_areas(table, indicator: str) -> tuple[float, list[float]]:
    rows = table[table["indicator"] == indicator]
    county = float(rows.loc[rows["is_total"], "value"].iloc[0])
    return county, rows.loc[~rows["is_total"], "value"].dropna().tolist()


def lines_at(fig) -> list[float]:
    return [s.x0 for s in fig.layout.shapes if s.type == "line"]


def test_a_count_is_compared_with_the_per_township_average(table):
    county, areas = county_and_areas(table, "late_reports")
    assert (county, len(areas)) == (51.0, 15)
    fig = ranking_bar(table, "late_reports", "zh")
    assert lines_at(fig) == [pytest.approx(51 / 15)]  # 3.4, not the county's 51
    texts = [a.text for a in fig.layout.annotations]
    assert "乡镇平均 3.4(青川县 51 ÷ 15 个乡镇)" in texts
    assert fig.layout.xaxis.range[1] < 51  # the bars use the width, not the left fifth
    en = ranking_bar(table, "births", "en")
    births, _ = county_and_areas(table, "births")
    assert lines_at(en) == [pytest.approx(births / 15)]
    assert "Township average 58.3 (青川县 874 ÷ 15)" in [a.text for a in en.layout.annotations]


def test_a_rate_is_compared_with_the_county_rate(table):
    county, _ = county_and_areas(table, "compliance")
    fig = ranking_bar(table, "compliance", "zh")
    assert lines_at(fig) == [90.0, pytest.approx(county, abs=0.005)]  # the target, the county
    assert f"青川县 {county:.2f}" in [a.text for a in fig.layout.annotations]


def test_sex_ratio_bars_say_they_start_at_105(table):
    zh = ranking_bar(table, "srb", "zh")
    assert list(_bars(zh).base)[0] == 105.0
    assert zh.layout.xaxis.title.text == "女=100(条形自参考值 105 起,向左低于、向右高于)"
    en = ranking_bar(table, "srb", "en")
    assert en.layout.xaxis.title.text == "boys per 100 girls, bars from 105: ← below, above →"
    # each fits the width the chart is planned for, margins included (the English one ran
    # past the chart's edge, cut off)
    for fig in (zh, en):
        assert text_width(fig.layout.xaxis.title.text, 16) <= PLANNED_PLOT_WIDTH + 60


@pytest.mark.parametrize("key", ["compliance", "fee_coverage", "fee_amount_rate", "multi_rate"])
def test_percentage_axes_stop_at_100(table, key):
    fig = ranking_bar(table, key, "zh")
    _, areas = county_and_areas(table, key)
    assert max(areas) <= 100
    # the axis may run past 100 to hold the labels, but no tick says more than 100%
    ticks = fig.layout.xaxis.tickvals
    if fig.layout.xaxis.range[1] > 100:
        assert ticks is not None and max(ticks) == 100


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_title_is_pinned_under_the_legend_above_the_labels(table, lang):
    fig = ranking_bar(table, "srb", lang)
    title = fig.layout.title
    assert (title.yref, title.y, title.yanchor) == ("container", 1, "top")
    # title (24 px) and subtitle (15 px) lines under a 34 px legend end above TITLE_ROOM,
    # where the lanes of labels above the plot begin
    assert title.pad.t + 24 * 1.3 + 15 * 1.3 <= TITLE_ROOM


def _bars(fig):
    return next(trace for trace in fig.data if trace.type == "bar" and trace.showlegend is False)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_rankings_axis_title_fits_the_chart(table, lang):
    """No axis title runs past the chart's edge (cut off) in either language."""
    too_wide = {}
    for key in table["indicator"].unique():
        title = ranking_bar(table, key, lang).layout.xaxis.title.text
        if text_width(title, 16) > PLANNED_PLOT_WIDTH + 60:
            too_wide[key] = title
    assert too_wide == {}
    assert table["indicator"].nunique() >= 19  # every indicator and the composite were drawn


def label_spans(fig) -> list[tuple[str, float, float]]:
    """(label, where it starts, where it ends) on the value axis, at the planned plot width."""
    labels = next(t for t in fig.data if t.name == "labels")
    axis = list(fig.layout.xaxis.range)
    unit = (axis[1] - axis[0]) / PLANNED_PLOT_WIDTH
    base = labels.base[0] if labels.base is not None else 0.0
    return [
        (text, base + x, base + x + (text_width(text, BAR_LABEL_SIZE) + LABEL_GAP) * unit)
        for x, text in zip(labels.x, labels.text, strict=True)
        if x is not None
    ]


@pytest.mark.parametrize("key", ["srb", "compliance", "fee_amount_rate", "late_reports"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_reference_line_strikes_through_a_label(table, key, lang):
    """A label that would run across the county's line (or a target, a limit) starts right of
    it: 东湖街道's "104.00 √ 正常" crossed the county's 108.59 before."""
    fig = ranking_bar(table, key, lang)
    lines = lines_at(fig)
    crossed = [
        (text, x) for text, begin, end in label_spans(fig) for x in lines if begin < x <= end
    ]
    assert crossed == []
    assert len(label_spans(fig)) >= 10


def test_a_label_moved_past_the_county_line_starts_just_right_of_it(table):
    fig = ranking_bar(table, "srb", "zh")
    county, _ = county_and_areas(table, "srb")
    spans = {text.split()[0]: begin for text, begin, _ in label_spans(fig)}
    # 东湖街道 104.00: its bar ends at 105 (bars start there), its label just past 108.59
    assert county == 108.59 and "104.00" in spans
    assert county < spans["104.00"] < county + 1.0
