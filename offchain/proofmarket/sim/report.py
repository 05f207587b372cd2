"""Reports of the property harness: the table, ``properties.json``, ``properties.md`` and the
plots (docs/mechanism.md, "Properties the harness measures"; issue: OCA gain vs ``C``, welfare ratio
per mechanism, prover payment vs user payment).

Floats appear only here, for display; the JSON keeps every wei amount as a decimal string.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from rich.table import Table

from proofmarket.sim.harness import PROPERTY_NAMES, HarnessResult, PropertyTally


def describe(tally: PropertyTally) -> str:
    """The note column: what the property measures beyond violations."""
    if tally.property == "budget-balance" and tally.instances:
        return f"left over: mean {100 * tally.sum_leftover_share / tally.instances:.1f}% of user payments"
    if tally.property == "welfare" and tally.welfare_ratios:
        ratios = sorted(tally.welfare_ratios)
        tenth = ratios[len(ratios) // 10]
        volume = tally.traded_constraints / tally.optimum_constraints if tally.optimum_constraints else 0.0
        return (
            f"welfare / relaxed optimum: mean {statistics.fmean(ratios):.3f}, median {statistics.median(ratios):.3f}, "
            f"10th percentile {tenth:.3f}, min {ratios[0]:.3g}; traded constraints / relaxed optimum's: {volume:.3f}; "
            f"mean by family: {_family_means(tally)} (violation: welfare < 0; gain column: largest loss vs optimum)"
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
                f"largest {_format_wei(tally.largest_net_gain)} wei"
            )
        return note
    return ""


def _family_means(tally: PropertyTally) -> str:
    """Mean welfare ratio per instance family, e.g. ``random 0.51, thick-market 0.90``."""
    return ", ".join(
        f"{family} {statistics.fmean(ratios):.3f}" for family, ratios in sorted(tally.welfare_ratios_by_family.items())
    )


def _format_wei(amount: int) -> str:
    return f"{amount:.3e}" if amount >= 10**6 else str(amount)


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


def render_table(result: HarnessResult) -> Table:
    """The mechanism × property table (rich); the notes are printed by :func:`render_notes`."""
    table = Table(title=f"Property harness — seed {result.seed}, plan {result.plan.name}")
    for column in ("mechanism", "property", "instances", "violations", "share", "largest gain (wei)", "largest / round bids"):
        table.add_column(column, justify="left" if column in ("mechanism", "property") else "right")
    previous = None
    for row in _rows(result):
        table.add_row(
            row["mechanism"] if row["mechanism"] != previous else "",
            row["property"],
            str(row["instances"]),
            str(row["violations"]),
            f"{100 * row['violation_share']:.1f}%",
            _format_wei(int(row["largest_gain"])) + (" c" if row["largest_gain_unit"] == "constraints" else ""),
            f"{row['largest_relative_gain']:.3g}",
        )
        previous = row["mechanism"]
    return table


def render_notes(result: HarnessResult) -> list[str]:
    """One line per row that has a note (left-over shares, welfare ratios, mean gains)."""
    return [f"{row['mechanism']} {row['property']}: {row['note']}" for row in _rows(result) if row["note"]]


def render_markdown(result: HarnessResult) -> str:
    """The same table as Markdown (for docs/mechanism.md)."""
    lines = [
        "| mechanism | property | instances | violations | share | largest gain (wei) | largest gain / round bids | note |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in _rows(result):
        unit = " constraints" if row["largest_gain_unit"] == "constraints" else ""
        lines.append(
            f"| {row['mechanism']} | {row['property']} | {row['instances']} | {row['violations']} | "
            f"{100 * row['violation_share']:.1f}% | {_format_wei(int(row['largest_gain']))}{unit} | "
            f"{row['largest_relative_gain']:.3g} | {row['note']} |"
        )
    return "\n".join(lines) + "\n"


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


def plot_all(result: HarnessResult, directory: Path) -> list[Path]:
    """The three plots, with matplotlib's Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [
        _plot_oca(result, directory / "oca_gain_vs_capacity.png", plt),
        _plot_welfare(result, directory / "welfare_ratio.png", plt),
        _plot_payments(result, directory / "payments.png", plt),
    ]
    plt.close("all")
    return paths


def _plot_oca(result: HarnessResult, path: Path, plt: Any) -> Path:
    figure, (share_axis, gain_axis) = plt.subplots(1, 2, figsize=(11, 4.2))
    for mechanism, by_capacity in result.oca_by_capacity.items():
        capacities = sorted(by_capacity)
        shares = [sum(1 for g in by_capacity[c] if g > 0) / max(1, len(by_capacity[c])) for c in capacities]
        means = [100 * statistics.fmean(by_capacity[c]) if by_capacity[c] else 0.0 for c in capacities]
        share_axis.plot(capacities, shares, marker="o", label=mechanism)
        gain_axis.plot(capacities, means, marker="o", label=mechanism)
    share_axis.set(xscale="log", xlabel="capacity C (constraints)", ylabel="share of instances with a profitable OCA")
    gain_axis.set(xscale="log", xlabel="capacity C (constraints)", ylabel="mean joint gain (% of the round's bids)")
    share_axis.set_ylim(bottom=0)
    gain_axis.set_ylim(bottom=0)
    share_axis.legend(fontsize=8)
    gain_axis.legend(fontsize=8)
    figure.suptitle(f"OCA: user + prover joint gain vs C (seed {result.seed})")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return path


def _plot_welfare(result: HarnessResult, path: Path, plt: Any) -> Path:
    mechanisms = list(result.oca_by_capacity)
    ratios = [result.tally(m, "welfare").welfare_ratios or [0.0] for m in mechanisms]
    figure, axis = plt.subplots(figsize=(8, 4.2))
    axis.boxplot([[max(-1.0, r) for r in series] for series in ratios], showfliers=False, whis=(5, 95))
    axis.set_xticks(range(1, len(mechanisms) + 1), mechanisms)
    axis.axhline(1.0, color="grey", linewidth=0.8)
    axis.set(
        ylabel="welfare / relaxed optimum",
        title=f"Welfare ratio per mechanism (seed {result.seed}; quartiles, whiskers 5–95%, clipped at −1)",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return path


def _plot_payments(result: HarnessResult, path: Path, plt: Any) -> Path:
    figure, (scatter_axis, share_axis) = plt.subplots(1, 2, figsize=(12, 5.2))
    largest = 1.0
    shares = {}
    for mechanism, points in result.payments.items():
        shown = [(user, prover) for user, prover in points if user > 0 and prover > 0]
        shares[mechanism] = [prover / user for user, prover in points if user > 0]
        if not shown:
            continue
        users = [float(user) for user, _ in shown]
        provers = [float(prover) for _, prover in shown]
        largest = max(largest, *users, *provers)
        scatter_axis.scatter(users, provers, s=4, alpha=0.3, label=mechanism)
    scatter_axis.plot([1, largest], [1, largest], color="black", linewidth=0.8, label="prover = user payments")
    scatter_axis.set(
        xscale="log",
        yscale="log",
        xlabel="Σ user payments per round (wei, net of rebates)",
        ylabel="Σ prover payments per round (wei)",
        title="per round",
    )
    scatter_axis.legend(fontsize=8, markerscale=3)
    mechanisms = list(shares)
    share_axis.boxplot([shares[m] or [0.0] for m in mechanisms], showfliers=False, whis=(5, 95))
    share_axis.set_xticks(range(1, len(mechanisms) + 1), mechanisms)
    share_axis.axhline(1.0, color="grey", linewidth=0.8)
    share_axis.set(ylabel="Σ prover payments / Σ user payments", title="share of user payments paid to provers (5–95%)")
    figure.suptitle(f"Prover vs user payments (seed {result.seed})")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return path
