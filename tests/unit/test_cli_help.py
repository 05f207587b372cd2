"""``--help``: every option of every ``proofmarket`` command and every ape script says what it
is for, and the command list shows each command's first sentence, not a cut one."""

from __future__ import annotations

import importlib.util

import click
import pytest
from click.testing import CliRunner

from proofmarket.chain.paths import REPOSITORY_ROOT
from proofmarket.cli.main import main

#: Command groups left out of the check (none: the benchmarks too have help on every option).
NOT_CHECKED: set[tuple[str, ...]] = set()


def commands(group: click.Group = main, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        here = path + (name,)
        if here in NOT_CHECKED:
            continue
        if isinstance(command, click.Group):
            yield from commands(command, here)
        else:
            yield " ".join(here), command


def scripts():
    for path in sorted((REPOSITORY_ROOT / "scripts").glob("*.py")):
        specification = importlib.util.spec_from_file_location(f"ape_script_{path.stem}", path)
        module = importlib.util.module_from_spec(specification)
        specification.loader.exec_module(module)
        yield f"ape run {path.stem}", module.cli


def options_without_help(command: click.Command) -> list[str]:
    return [
        "/".join(parameter.opts) for parameter in command.params
        if isinstance(parameter, click.Option) and not parameter.hidden and not (parameter.help or "").strip()
    ]


@pytest.mark.parametrize("name,command", list(commands()), ids=lambda value: value if isinstance(value, str) else "")
def test_every_option_of_every_command_has_help(name, command):
    assert options_without_help(command) == [], name


def test_every_option_of_every_ape_script_has_help():
    found = dict(scripts())
    assert {"ape run deploy", "ape run register_prover", "ape run ask", "ape run deposit", "ape run bid",
            "ape run run_round"} <= set(found)
    for name, command in found.items():
        assert options_without_help(command) == [], name


def test_the_ape_scripts_take_the_clis_option_names():
    found = dict(scripts())
    names = {name: {option for parameter in command.params for option in parameter.opts} for name, command in found.items()}
    for script in ("ape run register_prover", "ape run ask", "ape run deposit", "ape run bid", "ape run run_round"):
        assert {"--devnet-account", "--key", "--deployment"} <= names[script], script
        assert "--account" not in names[script]
    assert {"--constraints", "--max-fee"} <= names["ape run bid"]


def test_the_command_list_shows_whole_sentences():
    listing = CliRunner().invoke(main, ["--help"], terminal_width=120).output
    entries = [line.strip() for line in listing.split("Commands:")[1].splitlines() if line.strip()]
    assert len(entries) == len(main.commands)
    for entry in entries:
        assert not entry.endswith(("e.g.", "i.e.")), entry  # click cut the sentence at an abbreviation
