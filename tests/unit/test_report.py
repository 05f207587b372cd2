"""The property report as its readers meet it: units in every column, sample sizes on every plot,
terms defined in properties.md, axis limits that hold every data point (eip1559's negative
welfare included), names never cut in an 80-column terminal, gwei shown exactly."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from rich.console import Console  # noqa: E402

from proofmarket.sim.harness import PROPERTY_NAMES, TINY_PLAN, run_harness  # noqa: E402
from proofmarket.sim.report import (  # noqa: E402
    MARKDOWN_COLUMNS,
    MEDIAN_COLOR,
    TABLE_COLUMNS,
    TERMS,
    format_gwei,
    oca_capacity_labels,
    oca_figure,
    padded_limits,
    payment_series,
    payments_figure,
    render_markdown,
    render_table,
    welfare_figure,
)

UNIT = re.compile(r"\((n|% of n|gwei|% of round bids)\)$")


@pytest.fixture(scope="module")
def result():
    harness = run_harness(TINY_PLAN, seed=2)
    # eip1559 pays provers whatever their cost, so its welfare can be far below 0: the plot must show it.
    harness.tally("eip1559", "welfare").welfare_ratios.extend([-0.5, -7.0, -88_000.0])
    return harness


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_every_number_column_states_its_unit():
    for header in (*TABLE_COLUMNS[1:], *MARKDOWN_COLUMNS[2:-1]):
        assert UNIT.search(" ".join(header.split())), header


def test_the_terminal_table_has_the_units_in_its_headers_and_cuts_no_name_at_80_columns(result):
    table = render_table(result)
    headers = [" ".join(str(column.header).split()) for column in table.columns]
    assert headers[1:] == [" ".join(column.split()) for column in TABLE_COLUMNS[1:]]
    console = Console(width=80, file=io.StringIO(), record=True, color_system=None)
    console.print(table)
    text = console.export_text()
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    for name in (*PROPERTY_NAMES, *(mechanism for mechanism, _ in result.tallies)):
        assert re.search(rf"(^|\s){re.escape(name)}(\s|$)", text, re.M), f"{name} is cut or missing"
    for word in ("(gwei)", "(n)", "(% of n)", "round bids)"):
        assert word in text


def test_gwei_is_shown_exactly_from_integer_wei():
    assert format_gwei(0) == "0"
    assert format_gwei(1) == "0.000000001"  # the tolerance is visible
    assert format_gwei(795_872_223) == "0.795872223"
    assert format_gwei(1_500_000_000) == "1.500"
    assert format_gwei(2_000_499_999) == "2.000"
    assert format_gwei(2_000_500_000) == "2.001"
    assert format_gwei(10**18) == "1,000,000,000"  # 1 ETH
    assert format_gwei(-3 * 10**9) == "-3.000"


def test_capacity_rows_do_not_claim_a_money_unit(result):
    markdown = render_markdown(result)
    row = next(line for line in markdown.splitlines() if line.startswith("| proofphi | capacity |"))
    assert "n/a" in row and "constraints" in row


def test_the_report_defines_its_terms(result):
    markdown = render_markdown(result)
    for term in (
        "IC deviation",
        "tolerance",
        "relaxed optimum",
        "welfare ratio",
        "Sybil net gain",
        "OCA net gain",
        "violation",
        "largest gain",
        "% of round bids",
        "box plot",
        "gwei",
    ):
        assert f"- **{term}**: " in markdown, term
    assert "orange line" in TERMS["box plot"] and "median" in TERMS["box plot"]
    assert "upper bound" in TERMS["relaxed optimum"]
    assert "1 wei" in TERMS["tolerance"]
    assert markdown.index("## Terms") < markdown.index("## Results") < markdown.index("## Plots")


def test_the_oca_plot_gives_n_for_every_capacity(result):
    labels = oca_capacity_labels(result)
    assert set(labels) == set(TINY_PLAN.oca_capacities)
    for capacity, label in labels.items():
        assert label.endswith(f"n={TINY_PLAN.oca_instances_per_capacity}")
    figure = oca_figure(result, plt)
    ticks = [tick.get_text() for tick in figure.axes[0].get_xticklabels()]
    assert ticks == [labels[c] for c in TINY_PLAN.oca_capacities]


def test_the_welfare_plot_gives_n_explains_the_median_and_shows_every_ratio(result):
    figure = welfare_figure(result, plt)
    axis = figure.axes[0]
    mechanisms = list(result.oca_by_capacity)
    ticks = [tick.get_text() for tick in axis.get_xticklabels()]
    assert ticks == [f"{m}\nn={len(result.tally(m, 'welfare').welfare_ratios):,}" for m in mechanisms]
    ratios = [ratio for m in mechanisms for ratio in result.tally(m, "welfare").welfare_ratios]
    low, high = axis.get_ylim()
    assert low < min(ratios) == -88_000.0 and high > max(ratios)
    legend = {text.get_text(): handle for text, handle in zip(axis.get_legend().get_texts(), axis.get_legend().legend_handles)}
    assert legend["median"].get_color() == MEDIAN_COLOR
    assert sum(1 for line in axis.lines if line.get_color() == MEDIAN_COLOR) == len(mechanisms)  # one median each
    assert "relaxed optimum" in " ".join(text.get_text() for text in figure.texts)
    assert "relaxed optimum" in axis.get_ylabel()


def test_the_payments_plot_gives_n_and_holds_every_point(result):
    figure = payments_figure(result, plt)
    scatter_axis, share_axis = figure.axes[:2]
    series = payment_series(result)
    labels = [text.get_text() for text in scatter_axis.get_legend().get_texts()]
    for mechanism, (shown, _, left_out) in series.items():
        if shown:
            assert f"{mechanism} (n={len(shown):,}; {left_out:,} with a 0 left out)" in labels
    ticks = [tick.get_text() for tick in share_axis.get_xticklabels()]
    assert ticks == [f"{m}\nn={len(shares):,}" for m, (_, shares, _) in series.items()]
    points = [value for shown, _, _ in series.values() for pair in shown for value in pair]
    for low, high in (scatter_axis.get_xlim(), scatter_axis.get_ylim()):
        assert low < min(points) and max(points) < high
    shares = [share for _, values, _ in series.values() for share in values]
    low, high = share_axis.get_ylim()
    assert low < min(shares) and max(shares) < high
    assert "(gwei" in scatter_axis.get_xlabel() and "(gwei)" in scatter_axis.get_ylabel()
    assert "median" in [text.get_text() for text in share_axis.get_legend().get_texts()]


@pytest.mark.parametrize(
    ("values", "symlog"), [([0.2, 0.9], False), ([-88_000.0, 0.5, 1.0], True), ([0.0, 0.0], False), ([-0.5, 3.0], True)]
)
def test_padded_limits_hold_every_value(values, symlog):
    low, high = padded_limits(values, symlog=symlog)
    assert low < min(values) and max(values) < high


def test_percentages_never_use_an_exponent():
    from proofmarket.sim.report import _percent

    assert (_percent(0.0), _percent(0.0266), _percent(0.583), _percent(11.5), _percent(1234.5)) == (
        "0",
        "2.66",
        "58.3",
        "1,150",
        "123,450",
    )
