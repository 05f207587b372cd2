"""``proofmarket deploy`` names each market setting as the bid API does (docs/api.md, "One name
per concept"): ``--round-length-blocks`` is ``round_length_blocks`` in ``GET /v1/market`` and
``--proving-window-blocks`` is ``proving_window_blocks``; the older option names still parse, to
the same setting. Parsing only: nothing is deployed."""

from __future__ import annotations

import pytest

from proofmarket.api.models import MarketInfo
from proofmarket.cli.market import deploy

ADDRESSES = ["--clearinghouse", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
             "--treasury", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"]


def parsed(*arguments: str) -> dict:
    return deploy.make_context("deploy", [*ADDRESSES, *arguments]).params


@pytest.mark.parametrize(("option", "alias", "field"), [
    ("--round-length-blocks", "--round-blocks", "round_length_blocks"),
    ("--proving-window-blocks", "--proving-blocks", "proving_window_blocks"),
    ("--settlement-window-blocks", None, "settlement_window_blocks"),
])
def test_a_deploy_option_sets_the_setting_the_api_names_the_same(option, alias, field):
    assert field in MarketInfo.model_fields
    assert option == "--" + field.replace("_", "-")
    assert parsed(option, "7")[field] == 7
    if alias:
        assert parsed(alias, "9")[field] == 9


def test_every_deploy_option_has_help_text_where_it_names_a_market_setting():
    options = {name: parameter for parameter in deploy.params for name in getattr(parameter, "opts", [])}
    for name in ("--round-length-blocks", "--proving-window-blocks", "--settlement-window-blocks"):
        assert options[name].help, name
