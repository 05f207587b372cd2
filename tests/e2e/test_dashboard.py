"""The dashboard at ``/`` in a real headless Chromium (Debian's ``/usr/bin/chromium``, installed
by ``make install``; driven by Playwright), over the e2e stack: real rounds with bids over HTTP,
settlement on the devnet, Groth16 proofs.

The page loads with no console error, no page error and no request to anywhere but the server;
it shows a settled round's figures equal to the clearinghouse's (bids, included, volume, price,
revenue, payouts, surplus, chunks, the provers' chunks and earnings, links to the round's files);
and, without being reloaded, it shows the next round once that one settles.
"""

from __future__ import annotations

import decimal
import tempfile
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from proofmarket.mechanism.roundfile import input_hash, parse_round

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGUMENTS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
#: Milliseconds the page has to show a change: it refreshes every 2 s.
UPDATE_TIMEOUT_MS = 30_000


def gwei_text(price: dict) -> str:
    """The outcome's price (wei per constraint, a fraction) in gwei, as the page should write it:
    exact, or rounded half up to 18 places when its decimal does not end."""
    with decimal.localcontext(prec=200):
        value = decimal.Decimal(int(price["num"])) / decimal.Decimal(int(price["den"])) / decimal.Decimal(10**9)
        text = format(value.quantize(decimal.Decimal("1e-18"), rounding=decimal.ROUND_HALF_UP).normalize(), "f")
    exact = (Fraction(int(price["num"]), int(price["den"]) * 10**9) * 10**18).denominator == 1
    return text if exact else text + "…"


def amount_text(wei: int) -> str:
    """How the page writes an amount: ETH with 6 decimals from 0.001 ETH, gwei with 3 decimals
    from 0.001 gwei, else wei; digits cut, not rounded, and then marked with "≈"."""
    if wei == 0:
        return "0"
    if wei < 10**6:
        return f"{wei:,} wei"
    decimals, unit, shown = (18, "ETH", 6) if wei >= 10**15 else (9, "gwei", 3)
    whole, fraction = divmod(wei, 10**decimals)
    digits = f"{fraction:0{decimals}d}"[:shown].rstrip("0")
    exact = wei % 10 ** (decimals - shown) == 0
    return ("" if exact else "≈") + f"{whole:,}" + (f".{digits}" if digits else "") + f" {unit}"


@pytest.fixture(scope="module")
def first_round(stack):
    """A round with five bids, settled and proven before the page is opened."""
    round_id, outcome, before, after = stack.run_random_round(5)
    stack.assert_moved_exactly(round_id, outcome, before, after)
    return round_id, outcome


@pytest.fixture(scope="module")
def dashboard(stack, first_round):
    """The dashboard open in headless Chromium; yields ``(page, problems)``, ``problems`` being
    every console error or warning, page error, failed request and request to another host."""
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make install` (tools/install-chromium.sh installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is not installed: run `make install`")
    problems: list[str] = []
    origin = stack.server.url
    with tempfile.TemporaryDirectory(prefix="dashboard-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGUMENTS,
        )

        def only_this_server(route):
            if route.request.url.startswith(origin + "/"):
                route.continue_()
            else:
                problems.append(f"request to another host: {route.request.url}")
                route.abort()

        context.route("**/*", only_this_server)
        page = context.new_page()
        page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
                if message.type in ("error", "warning", "assert") else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url} {request.failure}"))
        response = page.goto(origin + "/")
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        try:
            yield page, problems
        finally:
            context.close()


def row(page, round_id: int, state: str = "resolved"):
    """The rounds table's row of ``round_id``, once it shows ``state``."""
    selector = f'#rounds tr[data-round="{round_id}"][data-state="{state}"]'
    page.wait_for_selector(selector, timeout=UPDATE_TIMEOUT_MS)
    return page.locator(selector)


def field(row_locator, name: str, attribute: str | None = None) -> str:
    target = row_locator.locator(f'td[data-field="{name}"]')
    return target.get_attribute(attribute) if attribute else target.inner_text().strip()


def assert_round_shown(page, stack, round_id: int, outcome: dict) -> None:
    """The row of ``round_id`` and its chart marks say what the clearinghouse recorded."""
    shown = row(page, round_id)
    status = stack.api.round_status(round_id)
    assert field(shown, "bids") == str(status["bids"])
    assert field(shown, "included") == str(len(outcome["included_bid_ids"])) != "0"
    volume = sum(int(chunk["constraints"]) for chunk in outcome["chunks"])
    assert field(shown, "constraints") == f"{volume:,}"
    assert field(shown, "price") == gwei_text(outcome["price"])
    assert field(shown, "price", "title") == f"{outcome['price']['num']}/{outcome['price']['den']} wei per constraint"
    for name in ("revenue", "payouts", "surplus"):
        assert field(shown, name, "data-wei") == outcome[f"{name}_wei"], name
        assert field(shown, name) == amount_text(int(outcome[f"{name}_wei"])), name
    assert int(outcome["revenue_wei"]) > 0
    chunks = len(outcome["chunks"])
    assert field(shown, "chunks") == f"{chunks} / 0 of {chunks}"
    assert field(shown, "slashed", "data-wei") == "0"
    links = shown.locator('td[data-field="files"] a')
    assert links.nth(0).get_attribute("href") == f"/v1/rounds/{round_id}/input"
    assert links.nth(1).get_attribute("href") == f"/v1/rounds/{round_id}/outcome"
    # The input link gives the file whose hash the chain stores (fetched by the page itself).
    input_file = page.evaluate("(url) => fetch(url).then((answer) => answer.text())", f"/v1/rounds/{round_id}/input")
    assert "0x" + input_hash(parse_round(input_file)).hex() == status["input_hash"]
    bar = page.locator(f'#chart rect[data-round="{round_id}"]')
    assert bar.get_attribute("data-volume") == str(volume)
    point = page.locator(f'#chart circle[data-round="{round_id}"]')
    assert point.get_attribute("data-price-gwei") == field(shown, "price").removesuffix("…")


def assert_provers_shown(page, stack) -> None:
    """Each prover's row: its chunks proven and missed, and its earnings, from the clearinghouse;
    its capacity and collateral, from the chain."""
    proven: Counter = Counter()
    earned: Counter = Counter()
    for agent in stack.agents:
        for chunk in stack.api.assignments(agent.address):
            if chunk["state"] == "proven":
                proven[agent.address] += 1
                earned[agent.address] += int(chunk["payment_wei"])
    assert sum(proven.values()) > 0
    for agent in stack.agents:
        selector = f'#provers tr[data-prover="{agent.address}"]'
        page.wait_for_function(
            "([selector, count]) => document.querySelector(selector)?.querySelector('[data-field=proven]')?.textContent === count",
            arg=[selector, str(proven[agent.address])], timeout=UPDATE_TIMEOUT_MS,
        )
        shown = page.locator(selector)
        state = stack.client.prover(agent.address)
        assert field(shown, "earned", "data-wei") == str(earned[agent.address])
        assert field(shown, "missed") == "0"
        assert field(shown, "capacity") == f"{state.lowest_capacity:,}"
        assert field(shown, "collateral", "data-wei") == str(state.collateral)
        assert field(shown, "state") == "registered"


def test_the_page_shows_a_settled_rounds_figures_with_no_console_error(stack, first_round, dashboard):
    page, problems = dashboard
    round_id, outcome = first_round
    assert_round_shown(page, stack, round_id, outcome)
    assert_provers_shown(page, stack)
    assert page.locator("#market").inner_text() == stack.deployment.market
    assert int(page.locator('#open-round [data-field="round"]').inner_text()) > round_id
    assert page.locator("#status").inner_text() == "live"
    assert page.locator("#updated").get_attribute("datetime")
    assert problems == []


@pytest.mark.parametrize("wei", [0, 1, 999_999, 10**6, 1_141 * 10**9, 1_141_123_456_789, 10**15, 15 * 10**17,
                                 123_456_789_012_345_678_901, 2**256 - 1])
def test_the_page_writes_amounts_in_eth_or_gwei_without_rounding_them_up(dashboard, wei):
    page, problems = dashboard
    assert page.evaluate("(wei) => weiText(wei)", str(wei)) == amount_text(wei)
    assert problems == []


def test_the_page_updates_when_the_next_round_settles(stack, first_round, dashboard):
    page, problems = dashboard
    loaded_at = page.evaluate("performance.timeOrigin")
    updated = page.locator("#updated").get_attribute("datetime")
    round_id, outcome, before, after = stack.run_random_round(4)
    stack.assert_moved_exactly(round_id, outcome, before, after)
    assert round_id > first_round[0]
    assert_round_shown(page, stack, round_id, outcome)
    assert_round_shown(page, stack, *first_round)
    assert page.locator("#chart circle").count() >= 2
    assert_provers_shown(page, stack)
    assert page.evaluate("performance.timeOrigin") == loaded_at, "the page was reloaded"
    assert page.locator("#updated").get_attribute("datetime") > updated
    assert problems == []


def test_the_rounds_and_provers_operations_answer_exact_figures(stack, first_round):
    round_id, outcome = first_round
    overview = stack.api.http.get("/v1/rounds", params={"limit": 50}).json()
    head, open_round = overview["head_block"], overview["open_round"]
    assert open_round["round"] == overview["rounds"][0]["round"] > round_id
    assert open_round["close_block"] == stack.client.round_close_block(open_round["round"])
    assert open_round["blocks_left"] == open_round["close_block"] - head
    assert overview["market_address"] == stack.deployment.market
    summary = next(entry for entry in overview["rounds"] if entry["round"] == round_id)
    status = stack.api.round_status(round_id)
    assert summary["state"] == "resolved"
    assert summary["price_per_constraint"] == {"numerator": outcome["price"]["num"], "denominator": outcome["price"]["den"]}
    assert summary["price_gwei_per_constraint"] + ("" if summary["price_exact"] else "…") == gwei_text(outcome["price"])
    assert (summary["bids"], summary["included"]) == (status["bids"], len(outcome["included_bid_ids"]))
    assert (summary["revenue_wei"], summary["payouts_wei"], summary["surplus_wei"]) == (
        outcome["revenue_wei"], outcome["payouts_wei"], outcome["surplus_wei"],
    )
    assert summary["input_hash"] == status["input_hash"]
    assert summary["settle_transaction"] == status["settle_transaction"] == stack.client.settlement_transaction(round_id)
    assert summary["chunks"] == summary["chunks_proven"] == len(outcome["chunks"])
    assert stack.api.http.get(summary["outcome_url"]).json() == outcome

    newest = stack.api.http.get("/v1/rounds", params={"limit": 1}).json()["rounds"]
    assert [entry["round"] for entry in newest] == [open_round["round"]]
    refused = stack.api.http.get("/v1/rounds", params={"limit": 0})
    assert refused.status_code == 422 and list(refused.json()) == ["error"]

    provers = stack.api.http.get("/v1/provers").json()
    assert [prover["address"] for prover in provers] == sorted((agent.address for agent in stack.agents), key=str.lower)
    for prover in provers:
        assert prover["balance_wei"] == str(stack.client.balance_of(prover["address"]))
        assert prover["locked_collateral_wei"] == "0"
        assert prover["last_ask_round"] >= round_id
