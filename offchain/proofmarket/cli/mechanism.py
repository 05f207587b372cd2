"""The mechanism's commands: ``clear`` and ``properties`` (``bench clearing`` is in ``cli/bench.py``).

Thin click functions over :mod:`proofmarket.mechanism` and :mod:`proofmarket.sim`: they read
input, call the library, print. Bad input raises :class:`~proofmarket.exceptions.UserInputError`
(or its subclass ``RoundFileError``), which the ``proofmarket`` group prints as one line and
turns into exit code 2.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import click

from proofmarket.exceptions import UserInputError
from proofmarket.mechanism import MECHANISM_NAMES, clear_round
from proofmarket.mechanism.roundfile import iter_rounds_jsonl, outcome_to_json, parse_round
from proofmarket.mechanism.types import RoundInput


def _read_source(source: str) -> str:
    """The text of a file, or of stdin for ``-``; a one-line error if it cannot be read."""
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UserInputError(f"round file {source!r}: is not UTF-8 ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise UserInputError(f"cannot read round file {source!r}: {error.strerror or error}") from None


def _override(round_input: RoundInput, mechanism: str | None) -> RoundInput:
    return round_input if mechanism is None else dataclasses.replace(round_input, mechanism=mechanism)


@click.command("clear")
@click.argument("round_file", metavar="ROUND.json")
@click.option("--jsonl", is_flag=True, help="Read one round per line; print one outcome per line.")
@click.option(
    "--mechanism", type=click.Choice(MECHANISM_NAMES), default=None, help="Clear with this mechanism instead of the file's."
)
def clear_command(round_file: str, jsonl: bool, mechanism: str | None) -> None:
    """Clear a round file ("-" for stdin) and print the outcome JSON (docs/mechanism.md).

    With --jsonl every line is parsed before any is cleared: a bad line prints nothing but
    the error.
    """
    text = _read_source(round_file)
    if not jsonl:
        outcome = clear_round(_override(parse_round(text), mechanism))
        click.echo(json.dumps(outcome_to_json(outcome), indent=2, sort_keys=True))
        return
    rounds = [round_input for _, round_input in iter_rounds_jsonl(text.splitlines())]  # all lines valid, or nothing
    for round_input in rounds:
        outcome = clear_round(_override(round_input, mechanism))
        click.echo(json.dumps(outcome_to_json(outcome), sort_keys=True, separators=(",", ":")))


@click.command("properties")
@click.option("--quick", is_flag=True, help="A smaller plan that finishes in one to two minutes (the full plan takes about 15).")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of every instance.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/properties"),
    show_default=True,
    help="Directory for properties.json, properties.md and the plots.",
)
@click.option("--plan", "plan_name", type=click.Choice(["tiny", "quick", "full"]), default=None, hidden=True)
def properties_command(quick: bool, seed: int, out_dir: Path, plan_name: str | None) -> None:
    """Run the property harness for every mechanism; print the table, write reports and plots."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from proofmarket.sim.harness import PLANS, planned_steps, run_harness
    from proofmarket.sim.report import render_notes, render_table, write_reports

    plan = PLANS[plan_name or ("quick" if quick else "full")]
    console = Console()
    columns = (TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        tasks = {name: progress.add_task(name, total=total) for name, total in planned_steps(plan).items()}
        result = run_harness(plan, seed, advance=lambda name, count: progress.advance(tasks[name], count))
    console.print(render_table(result))
    for note in render_notes(result):
        console.print(note, highlight=False, soft_wrap=True)
    for path in write_reports(result, out_dir):
        console.print(f"wrote {path}", highlight=False, soft_wrap=True)
    console.print(
        "the terms (IC deviation, tolerance, relaxed optimum, welfare ratio, box plot and the rest) are defined in "
        f"{out_dir / 'properties.md'}",
        highlight=False,
        soft_wrap=True,
    )

