"""Reports of the property harness: the table, ``properties.json``, ``properties.md`` and the
plots (docs/mechanism.md, "Properties the harness measures"; issue: OCA gain vs ``C``, welfare ratio
per mechanism, prover payment vs user payment).

Every column and axis says its unit, every plot says how many instances stand behind each box,
point or line, every term is defined in ``properties.md`` (:data:`TERMS`), and axis limits are
computed from the data, so nothing is clipped out of view. Floats appear only here, for display;
amounts are shown in gwei (exactly, from integer wei) and the JSON keeps every wei amount as a
decimal string.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, Iterable

from rich import box
from rich.table import Table

from proofmarket.sim.harness import PROPERTY_NAMES, ROUNDING_WEI, HarnessResult, PropertyTally

GWEI = 10**9

TERMS: dict[str, str] = {
    "instance": "one randomly generated round (bids, asks, capacity C, reserve, surplus policy), cleared by every "
    "mechanism alike; n is the number of instances behind a row, box, point or line.",
    "violation": "an instance where the property fails: a broken rule (IR, budget balance, capacity), a "
    "deviation that gains more than the tolerance (IC, Sybil, OCA), or negative welfare (welfare).",
    "tolerance": f"{ROUNDING_WEI} wei: a deviation counts only if it gains more than this, because a charge is "
    "rounded up and a payment down to the wei, so a report exactly at a clock price can move one amount by "
    "one wei.",
    "IC deviation": "a misreport by one participant, searched over a grid and the critical points where the "
    "outcome can change; its gain is the participant's utility with the misreport minus its utility when "
    "truthful (a user's utility is value − charge + rebate if included, else 0; a prover's is payments − "
    "cost × constraints). user-IC: a user misreports its bid; prover-IC: a prover misreports its unit cost; "
    "both under the treasury and burn surplus policies.",
    "user-IC-rebate": "user-IC re-run on the same instances under the rebate surplus policy, which is outside "
    "proofphi's truthfulness guarantee.",
    "IR": "individual rationality: no user charged more than its bid (nor charged when left out), no prover "
    "paid less than its ask × its constraints.",
    "budget balance": "provers are paid no more than users pay (charges less rebates), and every wei of "
    "revenue goes to payouts, burn, treasury or rebates; 'left over' is what users paid beyond the payouts.",
    "capacity": "the included constraints fit C, no prover gets more than its capacity, and the chunks cut "
    "the included order into contiguous runs; its amount is an excess in constraints, not money.",
    "Sybil net gain": "Sybil: a prover splits its capacity into two identities with chosen asks; the gross "
    "gain is the identities' joint utility minus the truthful utility; the net gain subtracts the best the "
    "prover could gain alone by misreporting (prover-IC).",
    "OCA net gain": "OCA (off-chain agreement): a user under-reports and pays a prover off chain (the transfer "
    "cancels), the prover may misreport too; the gross gain is their joint utility minus their truthful "
    "utility; the net gain subtracts the best each could gain alone (user-IC plus prover-IC).",
    "largest gain": "the largest violation's amount in gwei: the largest profitable gain, the largest excess "
    "charge or shortfall, or (welfare) the largest loss against the relaxed optimum.",
    "% of round bids": "an amount divided by the sum of that instance's bids, to compare instances of "
    "different price levels.",
    "welfare": "Σ values of the included bids − Σ provers' unit cost × constraints proven (bids and asks are "
    "truthful, so they are values and costs).",
    "relaxed optimum": "the best welfare if transactions could be split: the densest constraints matched with "
    "the cheapest prover capacity while density exceeds cost, within C and each prover's capacity, reserve "
    "not applied. It is an upper bound on the true optimum, so welfare ratios are conservative.",
    "welfare ratio": "welfare / relaxed optimum, over instances whose relaxed optimum is positive: 1 is the "
    "best possible, 0 means no value created, below 0 the round destroyed value (eip1559 pays provers tips "
    "whatever their cost).",
    "box plot": "the box spans the 25th to 75th percentile, the orange line inside it is the median (50th "
    "percentile), the whiskers reach the 5th and 95th percentiles, and dots are instances beyond them.",
    "surplus policy": "where the surplus (users' payments less provers' payouts) goes: treasury, burn, or "
    "rebate (back to the included users, pro rata to their charges).",
    "families": "the instance generators: random, lone-prover, pivotal-prover, tight-capacity, equal-densities, "
    "whale (10 or 100 gwei per constraint), free-provers, thick-market (50–200 bids). IR, budget balance, "
    "capacity and welfare take all eight in turn, the IC searches the first seven, Sybil and OCA draw one at "
    "random.",
    "gwei": "10^9 wei; 1 ETH = 10^9 gwei = 10^18 wei.",
}
"""Every term the table, the notes and the plots use, as ``properties.md`` defines them."""

TABLE_COLUMNS = (
    "mechanism\n/ property",
    "instances\n(n)",
    "violations\n(n)",
    "violations\n(% of n)",
    "largest\ngain\n(gwei)",
    "largest\ngain (% of\nround bids)",
)
"""The terminal table's headers, broken into lines so that the table fits 80 columns: one
section per mechanism, so that no name is cut. Every number column says its unit."""

MARKDOWN_COLUMNS = ("mechanism", "property", *(" ".join(column.split()) for column in TABLE_COLUMNS[1:]), "note")
"""``properties.md``'s table: the same columns on one line each, the mechanism on every row."""


def format_gwei(amount_wei: int) -> str:
    """A wei amount in gwei, computed exactly from the integer: whole gwei with thousands
    separators from 1000 gwei, three decimals (rounded half up) from 1 gwei, and every decimal
    below 1 gwei (so a 1-wei gain shows as ``0.000000001``)."""
    sign, amount_wei = ("-", -amount_wei) if amount_wei < 0 else ("", amount_wei)
    if amount_wei >= 1000 * GWEI:
        return f"{sign}{(amount_wei + GWEI // 2) // GWEI:,}"
    if amount_wei >= GWEI:
        thousandths = (amount_wei + GWEI // 2000) // (GWEI // 1000)
        return f"{sign}{thousandths // 1000}.{thousandths % 1000:03d}"
    if amount_wei == 0:
        return "0"
    return f"{sign}0.{amount_wei:09d}".rstrip("0")


def _percent(share: float) -> str:
    """A share as a percentage: three significant digits, whole numbers from 100 (no exponent)."""
    value = 100 * share
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def describe(tally: PropertyTally) -> str:
    """The note column: what the property measures beyond violations."""
    if tally.property == "capacity" and tally.instances:
        return f"largest excess over C or a prover's capacity: {tally.largest_gain} constraints"
    if tally.property == "budget-balance" and tally.instances:
        return f"left over: mean {100 * tally.sum_leftover_share / tally.instances:.1f}% of user payments"
    if tally.property == "welfare" and tally.welfare_ratios:
        ratios = sorted(tally.welfare_ratios)
        tenth = ratios[len(ratios) // 10]
        volume = tally.traded_constraints / tally.optimum_constraints if tally.optimum_constraints else 0.0
        negative = sum(1 for ratio in ratios if ratio < 0)
        return (
            f"welfare ratio (welfare / relaxed optimum, n={len(ratios)} instances with a positive optimum): "
            f"mean {statistics.fmean(ratios):.3f}, median {statistics.median(ratios):.3f}, "
            f"10th percentile {tenth:.3f}, min {ratios[0]:.3g}, below 0 in {negative}; traded constraints / "
            f"relaxed optimum's: {volume:.3f}; mean by family: {_family_means(tally)} (violation: welfare < 0; "
            "largest gain: largest loss vs the relaxed optimum)"
        )
    if tally.property in ("user-IC", "user-IC-rebate", "prover-IC", "sybil", "OCA") and tally.instances:
        note = f"mean gain {100 * tally.sum_relative_gain / tally.instances:.3g}% of round bids"
        if tally.instances_by_family:
            families = ", ".join(
                f"{family} {tally.violations_by_family.get(family, 0)}/{count}"
                for family, count in sorted(tally.instances_by_family.items())
            )
            note += f"; violations by family: {families}"
        if tally.property in ("sybil", "OCA"):
            note += (
                f"; net of the deviators' best solo deviations: {tally.net_violations} profitable, "
                f"largest {format_gwei(tally.largest_net_gain)} gwei"
            )
        return note
    return ""


def _family_means(tally: PropertyTally) -> str:
    """Mean welfare ratio per instance family, e.g. ``random 0.51, thick-market 0.90``."""
    return ", ".join(
        f"{family} {statistics.fmean(ratios):.3f}" for family, ratios in sorted(tally.welfare_ratios_by_family.items())
    )


def _rows(result: HarnessResult) -> list[dict[str, Any]]:
    rows = []
    for (mechanism, property_name), tally in result.tallies.items():
        rows.append(
            {
                "mechanism": mechanism,
                "property": property_name,
                "instances": tally.instances,
                "violations": tally.violations,
                "violation_share": tally.violations / tally.instances if tally.instances else 0.0,
                "largest_gain": str(tally.largest_gain),
                "largest_gain_unit": "constraints" if property_name == "capacity" else "wei",
                "largest_relative_gain": tally.largest_relative_gain,
                "mean_relative_gain": tally.sum_relative_gain / tally.instances if tally.instances else 0.0,
                "note": describe(tally),
                "violations_by_surplus_policy": dict(sorted(tally.violations_by_policy.items())),
                "instances_by_surplus_policy": dict(sorted(tally.instances_by_policy.items())),
                "violations_by_family": dict(sorted(tally.violations_by_family.items())),
                "instances_by_family": dict(sorted(tally.instances_by_family.items())),
                "net_violations": tally.net_violations,
                "largest_net_gain": str(tally.largest_net_gain),
                "traded_constraints": tally.traded_constraints,
                "welfare_mean_by_family": {
                    family: statistics.fmean(ratios) for family, ratios in sorted(tally.welfare_ratios_by_family.items())
                },
                "optimum_constraints": tally.optimum_constraints,
                "witness": tally.witness,
            }
        )
    order = {name: index for index, name in enumerate(PROPERTY_NAMES)}
    mechanisms = list(dict.fromkeys(mechanism for mechanism, _ in result.tallies))
    rows.sort(key=lambda row: (mechanisms.index(row["mechanism"]), order[row["property"]]))
    return rows


def _cells(row: dict[str, Any]) -> list[str]:
    """A row's values under :data:`TABLE_COLUMNS` (capacity's amount is in constraints: its
    money columns say ``n/a`` and the note gives the excess)."""
    money = row["largest_gain_unit"] == "wei"
    return [
        row["property"],
        str(row["instances"]),
        str(row["violations"]),
        _percent(row["violation_share"]),
        format_gwei(int(row["largest_gain"])) if money else "n/a",
        _percent(row["largest_relative_gain"]) if money else "n/a",
    ]


def render_table(result: HarnessResult) -> Table:
    """The mechanism × property table (rich), one section per mechanism; the notes are printed
    by :func:`render_notes`. It fits 80 columns whole; on a narrower terminal a value folds onto
    a second line rather than lose characters (no ellipsis)."""
    table = Table(
        title=f"Property harness — seed {result.seed}, plan {result.plan.name} (terms: properties.md)",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        collapse_padding=True,
        pad_edge=False,
        show_edge=False,
    )
    rows = _rows(result)
    cells = [_cells(row) for row in rows]
    for index, column in enumerate(TABLE_COLUMNS):
        table.add_column(column, justify="left" if index == 0 else "right", overflow="fold")
    previous = None
    for row, row_cells in zip(rows, cells):
        if row["mechanism"] != previous:
            if previous is not None:
                table.add_section()
            table.add_row(f"[bold]{row['mechanism']}[/bold]")
            previous = row["mechanism"]
        table.add_row("  " + row_cells[0], *row_cells[1:])
    return table


def render_notes(result: HarnessResult) -> list[str]:
    """One line per row that has a note (left-over shares, welfare ratios, mean gains)."""
    return [f"{row['mechanism']} {row['property']}: {row['note']}" for row in _rows(result) if row["note"]]


def render_terms() -> str:
    """The definitions of :data:`TERMS` as a Markdown list."""
    return "\n".join(f"- **{term}**: {definition}" for term, definition in TERMS.items()) + "\n"


def render_markdown(result: HarnessResult) -> str:
    """``properties.md``: the run, the terms, the table (as in docs/mechanism.md) and the plots."""
    plan = result.plan
    lines = [
        f"# Property harness — seed {result.seed}, plan {plan.name}",
        "",
        f"Instances per mechanism (every mechanism on the same instances): {plan.outcome_instances} for IR, "
        f"budget balance, capacity and welfare; {plan.user_ic_instances} for user-IC (and user-IC-rebate); "
        f"{plan.prover_ic_instances} for prover-IC; {_steps(result, 'sybil')} for Sybil and "
        f"{_steps(result, 'OCA')} for OCA ({plan.oca_instances_per_capacity} at each C in "
        f"{', '.join(str(c) for c in plan.oca_capacities)} constraints). Amounts are in gwei.",
        "",
        "## Terms",
        "",
        render_terms(),
        "## Results",
        "",
        "| " + " | ".join(MARKDOWN_COLUMNS) + " |",
        "|---|---|" + "---:|" * (len(TABLE_COLUMNS) - 1) + "---|",
    ]
    for row in _rows(result):
        lines.append("| " + " | ".join([row["mechanism"], *_cells(row), row["note"]]) + " |")
    lines += ["", "## Plots", ""]
    lines += [f"- `{name}`: {caption}" for name, caption in PLOT_CAPTIONS.items()]
    return "\n".join(lines) + "\n"


def _steps(result: HarnessResult, property_name: str) -> int:
    tallies = [tally for (_, name), tally in result.tallies.items() if name == property_name]
    return tallies[0].instances if tallies else 0


def oca_summary(result: HarnessResult) -> dict[str, dict[str, dict[str, float]]]:
    """Per mechanism and ``C``: instances, share with a profitable OCA, mean and max gain
    (as a share of the round's bids)."""
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for mechanism, by_capacity in result.oca_by_capacity.items():
        summary[mechanism] = {}
        for capacity, gains in by_capacity.items():
            summary[mechanism][str(capacity)] = {
                "instances": len(gains),
                "profitable_share": sum(1 for gain in gains if gain > 0) / len(gains) if gains else 0.0,
                "mean_relative_gain": statistics.fmean(gains) if gains else 0.0,
                "max_relative_gain": max(gains, default=0.0),
            }
    return summary


def net_summary(result: HarnessResult) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """Per property (``sybil``, ``OCA``), mechanism and ``C``: instances, share with a gain beyond
    the deviators' best solo deviations, mean and max of that net gain (share of round bids)."""
    return {
        name: {
            mechanism: {
                str(capacity): {
                    "instances": len(gains),
                    "net_profitable_share": sum(1 for gain in gains if gain > 0) / len(gains) if gains else 0.0,
                    "mean_net_relative_gain": statistics.fmean(gains) if gains else 0.0,
                    "max_net_relative_gain": max(gains, default=0.0),
                }
                for capacity, gains in by_capacity.items()
            }
            for mechanism, by_capacity in by_mechanism.items()
        }
        for name, by_mechanism in result.net_by_capacity.items()
    }


def to_json(result: HarnessResult) -> dict[str, Any]:
    """The whole result as JSON (integers in wei as decimal strings)."""
    plan = result.plan
    return {
        "seed": result.seed,
        "plan": {
            "name": plan.name,
            "outcome_instances": plan.outcome_instances,
            "user_ic_instances": plan.user_ic_instances,
            "prover_ic_instances": plan.prover_ic_instances,
            "sybil_instances": plan.sybil_instances,
            "oca_instances_per_capacity": plan.oca_instances_per_capacity,
            "oca_capacities": list(plan.oca_capacities),
        },
        "results": _rows(result),
        "oca_by_capacity": oca_summary(result),
        "sybil_and_oca_net_by_capacity": net_summary(result),
    }


def write_reports(result: HarnessResult, directory: Path) -> list[Path]:
    """Write ``properties.json``, ``properties.md`` and the three PNG plots; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / "properties.json"
    json_path.write_text(json.dumps(to_json(result), indent=2) + "\n")
    markdown_path = directory / "properties.md"
    markdown_path.write_text(render_markdown(result))
    return [json_path, markdown_path, *plot_all(result, directory)]


# --- plots -----------------------------------------------------------------------------------

PLOT_CAPTIONS = {
    "oca_gain_vs_capacity.png": "OCA against the round capacity C: the share of instances where a user–prover "
    "off-chain agreement gains more than the tolerance, and the mean joint gain (% of round bids); each C's "
    "tick label gives n, the instances per mechanism at that C.",
    "welfare_ratio.png": "the welfare ratio (welfare / relaxed optimum) per mechanism as box plots (see 'box "
    "plot'); each tick label gives n, the instances with a positive relaxed optimum; the vertical axis is "
    "linear from −1 to 1 and logarithmic beyond when a ratio falls below −1, and its limits come from the "
    "data, so every instance (eip1559's negative ratios too) is shown.",
    "payments.png": "per round, Σ prover payments against Σ user payments (gwei, log-log; rounds where either "
    "is 0 are left out and counted in the legend), and the share of user payments paid to provers as box "
    "plots with n per mechanism.",
}
"""What each plot shows (``properties.md``'s "Plots" section)."""

MEDIAN_COLOR = "tab:orange"


def sample_label(name: str, count: int) -> str:
    """A tick or legend label with its sample size, e.g. ``proofphi\\nn=5,000``."""
    return f"{name}\nn={count:,}"


def padded_limits(values: Iterable[float], include: Iterable[float] = (), symlog: bool = False) -> tuple[float, float]:
    """Axis limits that hold every value (and ``include``) with a margin: 5% of the span on a
    linear axis; on a symmetric-log axis (linear within ±1) a factor 1.5 beyond ±1 and 0.1 within."""
    points = [*values, *include]
    if not points:
        return (0.0, 1.0)
    low, high = min(points), max(points)
    if symlog:
        return (low * 1.5 if low < -1 else low - 0.1, high * 1.5 if high > 1 else high + 0.1)
    margin = 0.05 * (high - low) if high > low else 0.5
    return (low - margin, high + margin)


def log_limits(values: Iterable[float]) -> tuple[float, float]:
    """Limits of a log axis that hold every positive value with a margin of a factor 1.5."""
    points = [value for value in values if value > 0]
    if not points:
        return (0.1, 10.0)
    return (min(points) / 1.5, max(points) * 1.5)


def oca_capacity_labels(result: HarnessResult) -> dict[int, str]:
    """Per capacity ``C``: the tick label with the instances per mechanism at that ``C``."""
    labels = {}
    for capacity in result.plan.oca_capacities:
        counts = sorted({len(by_capacity.get(capacity, [])) for by_capacity in result.oca_by_capacity.values()})
        count = f"{counts[0]:,}" if len(counts) == 1 else f"{counts[0]:,}–{counts[-1]:,}"
        labels[capacity] = f"{capacity:,}\nn={count}"
    return labels


def oca_series(result: HarnessResult) -> dict[str, tuple[list[int], list[float], list[float]]]:
    """Per mechanism: the capacities, the % of instances with a profitable OCA, the mean gain (%)."""
    series = {}
    for mechanism, by_capacity in result.oca_by_capacity.items():
        capacities = sorted(by_capacity)
        shares = [100 * sum(1 for g in by_capacity[c] if g > 0) / max(1, len(by_capacity[c])) for c in capacities]
        means = [100 * statistics.fmean(by_capacity[c]) if by_capacity[c] else 0.0 for c in capacities]
        series[mechanism] = (capacities, shares, means)
    return series


def welfare_series(result: HarnessResult) -> dict[str, list[float]]:
    """Per mechanism, every welfare ratio measured (instances with a positive relaxed optimum)."""
    return {mechanism: list(result.tally(mechanism, "welfare").welfare_ratios) for mechanism in result.oca_by_capacity}


def payment_series(result: HarnessResult) -> dict[str, tuple[list[tuple[float, float]], list[float], int]]:
    """Per mechanism: the (user, prover) payments in gwei of the rounds where both are positive,
    each round's prover / user payments share (rounds where users paid something), and how many
    rounds were left out of the log-log scatter."""
    series = {}
    for mechanism, points in result.payments.items():
        shown = [(user / GWEI, prover / GWEI) for user, prover in points if user > 0 and prover > 0]
        shares = [prover / user for user, prover in points if user > 0]
        series[mechanism] = (shown, shares, len(points) - len(shown))
    return series


def _box_legend(axis: Any, extra: list[tuple[Any, str]]) -> None:
    """A legend that names the box plot's parts (the orange line is the median)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        (Line2D([], [], color=MEDIAN_COLOR), "median"),
        (Patch(facecolor="white", edgecolor="black"), "box: 25th–75th percentile"),
        (Line2D([], [], color="black", marker="_", markersize=10), "whiskers: 5th–95th percentile"),
        (Line2D([], [], color="grey", marker=".", linestyle="none"), "instances beyond the whiskers"),
        *extra,
    ]
    axis.legend(
        [h for h, _ in handles], [label for _, label in handles], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0)
    )


def _box_plot(axis: Any, series: dict[str, list[float]]) -> None:
    names = list(series)
    axis.boxplot(
        [series[name] for name in names],
        whis=(5, 95),
        medianprops={"color": MEDIAN_COLOR},
        flierprops={"marker": ".", "markersize": 2, "markerfacecolor": "grey", "markeredgecolor": "grey", "alpha": 0.4},
    )
    axis.set_xticks(range(1, len(names) + 1), [sample_label(name, len(series[name])) for name in names], fontsize=8)


def plot_all(result: HarnessResult, directory: Path) -> list[Path]:
    """The three plots, with matplotlib's Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for name, build in (
        ("oca_gain_vs_capacity.png", oca_figure),
        ("welfare_ratio.png", welfare_figure),
        ("payments.png", payments_figure),
    ):
        figure = build(result, plt)
        figure.savefig(directory / name, dpi=120)
        plt.close(figure)
        paths.append(directory / name)
    return paths


def _caption(figure: Any, text: str) -> None:
    figure.text(0.01, 0.01, text, fontsize=7, wrap=True, va="bottom", ha="left")


def oca_figure(result: HarnessResult, plt: Any) -> Any:
    """OCA against ``C``: share of instances with a profitable agreement and mean joint gain."""
    figure, (share_axis, gain_axis) = plt.subplots(1, 2, figsize=(11, 5.0))
    series = oca_series(result)
    labels = oca_capacity_labels(result)
    for mechanism, (capacities, shares, means) in series.items():
        share_axis.plot(capacities, shares, marker="o", label=mechanism)
        gain_axis.plot(capacities, means, marker="o", label=mechanism)
    capacities = list(result.plan.oca_capacities)
    for axis in (share_axis, gain_axis):
        axis.set_xscale("log")
        axis.set_xticks(capacities, [labels[c] for c in capacities], fontsize=7)
        axis.minorticks_off()
        axis.set_xlabel("capacity C (constraints); n = instances per mechanism at each C")
        axis.legend(fontsize=7, loc="best")
    share_axis.set_ylabel("instances with a profitable OCA (% of n)")
    gain_axis.set_ylabel("mean joint gain (% of the round's bids)")
    share_axis.set_ylim(*padded_limits([s for _, shares, _ in series.values() for s in shares], include=(0.0,)))
    gain_axis.set_ylim(*padded_limits([m for _, _, means in series.values() for m in means], include=(0.0,)))
    figure.suptitle(f"OCA: user + prover joint gain vs C (seed {result.seed}, plan {result.plan.name})")
    _caption(
        figure,
        "OCA (off-chain agreement): a user under-reports its bid and pays a prover off chain; gain = their joint "
        f"utility minus their truthful utility; profitable = gain > {ROUNDING_WEI} wei. Same instances for "
        "every mechanism. Terms: properties.md.",
    )
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure


def welfare_figure(result: HarnessResult, plt: Any) -> Any:
    """Welfare ratio per mechanism: box plots, n per mechanism, every ratio within the limits."""
    series = welfare_series(result)
    values = [ratio for ratios in series.values() for ratio in ratios]
    figure, axis = plt.subplots(figsize=(11, 5.4))
    _box_plot(axis, series)
    reference = axis.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    symlog = bool(values) and min(values) < -1
    if symlog:
        from matplotlib.ticker import FuncFormatter

        axis.set_yscale("symlog", linthresh=1.0, linscale=3.0)
        axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,g}"))
    axis.set_ylim(*padded_limits(values, include=(0.0, 1.0), symlog=symlog))
    axis.set(
        ylabel="welfare / relaxed optimum (ratio)",
        title=f"Welfare ratio per mechanism (seed {result.seed}, plan {result.plan.name})",
    )
    _box_legend(axis, [(reference, "1 = the relaxed optimum")])
    _caption(
        figure,
        "welfare = Σ values of included bids − Σ provers' costs; relaxed optimum = the best welfare if transactions "
        "could be split (an upper bound); n = instances with a positive relaxed optimum; below 0 the round "
        "destroyed value. Axis: linear in [−1, 1], logarithmic beyond when needed. Terms: properties.md.",
    )
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return figure


def payments_figure(result: HarnessResult, plt: Any) -> Any:
    """Prover against user payments per round (gwei) and the share paid to provers."""
    series = payment_series(result)
    figure, (scatter_axis, share_axis) = plt.subplots(1, 2, figsize=(14, 5.8))
    everything = []
    for mechanism, (shown, _, left_out) in series.items():
        if not shown:
            continue
        users = [user for user, _ in shown]
        provers = [prover for _, prover in shown]
        everything += users + provers
        label = f"{mechanism} (n={len(shown):,}; {left_out:,} with a 0 left out)"
        scatter_axis.scatter(users, provers, s=4, alpha=0.3, label=label)
    low, high = log_limits(everything)
    scatter_axis.plot([low, high], [low, high], color="black", linewidth=0.8, label="prover = user payments")
    scatter_axis.set(
        xscale="log",
        yscale="log",
        xlim=(low, high),
        ylim=(low, high),
        xlabel="Σ user payments per round (gwei, net of rebates)",
        ylabel="Σ prover payments per round (gwei)",
        title="per round",
    )
    scatter_axis.legend(fontsize=7, markerscale=3)
    shares = {mechanism: values for mechanism, (_, values, _) in series.items()}
    _box_plot(share_axis, shares)
    reference = share_axis.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    share_axis.set_ylim(*padded_limits([s for values in shares.values() for s in values], include=(0.0, 1.0)))
    share_axis.set(
        ylabel="Σ prover payments / Σ user payments (ratio)",
        title="share of user payments paid to provers",
    )
    _box_legend(share_axis, [(reference, "1 = everything paid to provers")])
    figure.suptitle(f"Prover vs user payments (seed {result.seed}, plan {result.plan.name})")
    _caption(
        figure,
        "n = rounds per mechanism (the first rounds of the outcome instances; the share needs users to have paid "
        "something). Boxes: 25th–75th percentile, orange line the median, whiskers 5th–95th. Terms: properties.md.",
    )
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure
