// The proofmarket dashboard: reads GET /v1/rounds and GET /v1/provers every two seconds and
// draws the open round, a price and volume chart (inline SVG), the recent rounds and the provers.
// No framework and nothing loaded from elsewhere: the page works offline. Amounts arrive as
// decimal strings of wei and are shown in ETH or gwei (BigInt arithmetic, never floats), with the
// exact wei in each cell's title and data-wei attribute.
"use strict";

const REFRESH_MS = 2000;
const ROUNDS = 30;
const SVG = "http://www.w3.org/2000/svg";
const WEI_PER_GWEI = 10n ** 9n;
const WEI_PER_ETH = 10n ** 18n;

// -- formatting ---------------------------------------------------------------------------------

/** `units / 10^decimals` as a decimal string with at most `shown` digits after the point (cut, not rounded). */
function fixedText(units, decimals, shown) {
  const scale = 10n ** BigInt(decimals);
  const whole = units / scale;
  let fraction = (units % scale).toString().padStart(decimals, "0").slice(0, shown).replace(/0+$/, "");
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** A wei amount (decimal string) for people: ETH (6 decimals) from 0.001 ETH up, gwei (3 decimals)
 * from 0.001 gwei up, else wei; "≈" when digits were cut. */
function weiText(text) {
  if (text === null || text === undefined) return "–";
  const wei = BigInt(text);
  if (wei === 0n) return "0";
  if (wei < WEI_PER_GWEI / 1000n) return `${fixedText(wei, 0, 0)} wei`;
  const [decimals, unit] = wei >= WEI_PER_ETH / 1000n ? [18, "ETH"] : [9, "gwei"];
  const shown = unit === "ETH" ? 6 : 3;
  const value = fixedText(wei, decimals, shown);
  const exact = (wei % 10n ** BigInt(decimals - shown)) === 0n;
  return `${exact ? "" : "≈"}${value} ${unit}`;
}

function countText(value) {
  return value === null || value === undefined ? "–" : value.toLocaleString("en-US");
}

function shortAddress(address) {
  return `${address.slice(0, 8)}…${address.slice(-6)}`;
}

function timeText(date) {
  return date.toLocaleTimeString("en-GB", { hour12: false });
}

// -- DOM helpers ----------------------------------------------------------------------------------

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function cell(field, text, attributes = {}) {
  return element("td", { "data-field": field, ...attributes }, text);
}

function weiCell(field, wei) {
  return cell(field, weiText(wei), { "data-wei": wei, title: wei === null ? null : `${BigInt(wei).toLocaleString("en-US")} wei` });
}

function setField(container, field, text) {
  container.querySelector(`[data-field="${field}"]`).textContent = text;
}

function svg(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== null) node.textContent = text;
  return node;
}

// -- the parts of the page ------------------------------------------------------------------------

/** Seconds per block, estimated from the chain heads seen since the page loaded. */
const heads = { first: null, last: null };

function noteHead(block) {
  const now = Date.now();
  if (heads.first === null) heads.first = { block, at: now };
  if (heads.last === null || block !== heads.last.block) heads.last = { block, at: now };
}

function secondsPerBlock() {
  if (heads.first === null || heads.last === null || heads.last.block <= heads.first.block) return null;
  return (heads.last.at - heads.first.at) / 1000 / (heads.last.block - heads.first.block);
}

function renderHeader(overview) {
  document.getElementById("market").textContent = overview.market_address;
  document.getElementById("chain-id").textContent = String(overview.chain_id);
  document.getElementById("head-block").textContent = countText(overview.head_block);
}

function renderOpenRound(overview) {
  const section = document.getElementById("open-round");
  const open = overview.open_round;
  setField(section, "round", String(open.round));
  setField(section, "close_block", countText(open.close_block));
  setField(section, "blocks_left", countText(open.blocks_left));
  setField(section, "bids", countText(open.bids));
  const perBlock = secondsPerBlock();
  setField(section, "eta", perBlock === null ? "" : `, about ${Math.round(perBlock * open.blocks_left)} s`);
}

function renderRounds(rounds) {
  const body = document.querySelector("#rounds tbody");
  const rows = rounds.map((round) => {
    const files = round.input_url
      ? [element("a", { href: round.input_url }, "input"), element("a", { href: round.outcome_url }, "outcome")]
      : ["–"];
    const price = round.price_gwei_per_constraint;
    const fraction = round.price_per_constraint;
    return element(
      "tr", { "data-round": String(round.round), "data-state": round.state, class: `state-${round.state}` },
      cell("round", String(round.round)),
      cell("state", round.state, { title: round.failure }),
      cell("bids", countText(round.bids)),
      cell("included", countText(round.included)),
      cell("constraints", countText(round.constraints)),
      cell("price", price === null ? "–" : `${price}${round.price_exact ? "" : "…"}`, {
        "data-price-gwei": price,
        title: fraction === null ? null : `${fraction.numerator}/${fraction.denominator} wei per constraint`,
      }),
      weiCell("revenue", round.revenue_wei),
      weiCell("payouts", round.payouts_wei),
      weiCell("surplus", round.surplus_wei),
      cell("chunks", `${round.chunks_proven} / ${round.chunks_missed} of ${round.chunks}`, {
        "data-proven": String(round.chunks_proven), "data-missed": String(round.chunks_missed),
      }),
      weiCell("slashed", round.collateral_slashed_wei),
      element("td", { "data-field": "files" }, ...files),
    );
  });
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: "12", class: "empty" }, "no rounds yet")));
  body.replaceChildren(...rows);
}

function renderProvers(provers) {
  const body = document.querySelector("#provers tbody");
  const rows = provers.map((prover) => {
    const state = !prover.registered ? "not registered" : prover.exiting ? "exiting" : "registered";
    const ask = prover.last_unit_cost_wei === null
      ? "–"
      : `${fixedText(BigInt(prover.last_unit_cost_wei), 9, 9)} (round ${prover.last_ask_round})`;
    const collateral = `${weiText(prover.collateral_wei)} (${weiText(prover.locked_collateral_wei)})`;
    return element(
      "tr", { "data-prover": prover.address },
      cell("address", shortAddress(prover.address), { title: prover.address }),
      cell("state", state),
      cell("capacity", countText(prover.capacity)),
      cell("collateral", collateral, { "data-wei": prover.collateral_wei, "data-locked-wei": prover.locked_collateral_wei }),
      weiCell("balance", prover.balance_wei),
      weiCell("earned", prover.earned_wei),
      cell("proven", countText(prover.chunks_proven)),
      cell("missed", countText(prover.chunks_missed)),
      cell("pending", countText(prover.chunks_pending)),
      cell("ask", ask, { "data-wei": prover.last_unit_cost_wei }),
    );
  });
  if (rows.length === 0) rows.push(element("tr", {}, element("td", { colspan: "10", class: "empty" }, "no provers yet")));
  body.replaceChildren(...rows);
}

/** Volume bars and a price line over the rounds that have an outcome, oldest on the left. */
function renderChart(rounds) {
  const chart = document.getElementById("chart");
  const [width, height, left, right, top, bottom] = [760, 240, 56, 56, 16, 28];
  const traded = rounds.filter((round) => round.constraints !== null).slice().reverse();
  const nodes = [
    svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }),
    svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: height - bottom }),
    svg("line", { class: "axis", x1: width - right, y1: top, x2: width - right, y2: height - bottom }),
  ];
  if (traded.length === 0) {
    nodes.push(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "no cleared rounds yet"));
    chart.replaceChildren(...nodes);
    return;
  }
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const step = plotWidth / traded.length;
  const maxVolume = Math.max(1, ...traded.map((round) => round.constraints));
  const prices = traded.map((round) => (round.price_gwei_per_constraint === null ? null : Number(round.price_gwei_per_constraint)));
  const maxPrice = Math.max(0, ...prices.filter((price) => price !== null)) || 1;
  const points = [];
  const dots = [];
  traded.forEach((round, index) => {
    const x = left + step * index + step / 2;
    const barHeight = (round.constraints / maxVolume) * plotHeight;
    const bar = svg("rect", {
      class: "bar", "data-round": String(round.round), "data-volume": String(round.constraints),
      x: (x - step * 0.35).toFixed(1), y: (height - bottom - barHeight).toFixed(1),
      width: (step * 0.7).toFixed(1), height: barHeight.toFixed(1),
    });
    bar.append(svg("title", {}, `round ${round.round}: ${round.constraints} constraints`));
    nodes.push(bar);
    if (traded.length <= 16 || index % Math.ceil(traded.length / 16) === 0) {
      nodes.push(svg("text", { x: x.toFixed(1), y: height - bottom + 16, "text-anchor": "middle" }, String(round.round)));
    }
    if (prices[index] !== null) {
      const y = height - bottom - (prices[index] / maxPrice) * plotHeight;
      points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
      const point = svg("circle", {
        class: "point", "data-round": String(round.round), "data-price-gwei": round.price_gwei_per_constraint,
        cx: x.toFixed(1), cy: y.toFixed(1), r: 3.5,
      });
      point.append(svg("title", {}, `round ${round.round}: ${round.price_gwei_per_constraint} gwei per constraint`));
      dots.push(point);
    }
  });
  if (points.length > 1) nodes.push(svg("polyline", { class: "line", points: points.join(" ") }));
  nodes.push(...dots);
  nodes.push(svg("text", { x: left - 6, y: top + 4, "text-anchor": "end" }, maxVolume.toLocaleString("en-US")));
  nodes.push(svg("text", { x: left - 6, y: height - bottom, "text-anchor": "end" }, "0"));
  nodes.push(svg("text", { class: "price-label", x: width - right + 6, y: top + 4 }, `${Number(maxPrice.toPrecision(6))} gwei`));
  nodes.push(svg("text", { class: "price-label", x: width - right + 6, y: height - bottom }, "0"));
  chart.replaceChildren(...nodes);
}

function renderStatus(ok, message) {
  const status = document.getElementById("status");
  status.textContent = message;
  status.className = ok ? "status-ok" : "status-error";
}

// -- the refresh loop -----------------------------------------------------------------------------

/** The API could not be read (the server is down or answered an error): shown on the page. */
class FetchError extends Error {}

async function fetchJson(path) {
  let response;
  try {
    response = await fetch(path, { cache: "no-store", headers: { accept: "application/json" } });
  } catch (error) {
    throw new FetchError(`${path}: ${error.message}`);
  }
  if (!response.ok) {
    let message = `${response.status}`;
    try {
      message = `${response.status}: ${(await response.json()).error}`;
    } catch (_) {
      // not the API's error body: the status says enough
    }
    throw new FetchError(`${path} answered ${message}`);
  }
  return response.json();
}

async function refresh() {
  try {
    const [overview, provers] = await Promise.all([fetchJson(`/v1/rounds?limit=${ROUNDS}`), fetchJson("/v1/provers")]);
    noteHead(overview.head_block);
    renderHeader(overview);
    renderOpenRound(overview);
    renderChart(overview.rounds);
    renderRounds(overview.rounds);
    renderProvers(provers);
    const now = new Date();
    const updated = document.getElementById("updated");
    updated.textContent = timeText(now);
    updated.setAttribute("datetime", now.toISOString());
    renderStatus(true, "live");
  } catch (error) {
    renderStatus(false, `not updating: ${error.message}`);
    if (!(error instanceof FetchError)) console.error("dashboard:", error); // a bug of this page
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
