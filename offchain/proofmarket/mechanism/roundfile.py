"""The round file: one canonical JSON for inputs and outcomes (docs/mechanism.md, "The round file").

Input::

    {"mechanism": "proofphi",
     "config": {"capacity": 1000, "reserve_wei_per_constraint": 0, "surplus": "treasury",
                "base_fee_wei_per_constraint": 0},
     "bids": [{"id": "0xab..", "fee_wei": 12000, "constraints": 40}],
     "asks": [{"id": "0xcd..", "unit_cost_wei": 100, "capacity": 500}]}

Parsing (:func:`parse_round`): integers may be JSON numbers or decimal strings; ``mechanism``
may be left out (``proofphi``) and so may every config field but ``capacity`` (the defaults of
:class:`RoundConfig`); every other field is required and unknown fields are refused, so the
hash covers everything the file says. Refused: negative numbers, zero sizes (``constraints``,
``capacity``), numbers above ``2**256 − 1``, fractions, empty or duplicate ids. Every error is a
:class:`RoundFileFieldError` naming the field (``bids[3].fee_wei``) and the offending value.

Serialising writes every integer as a decimal string.

Canonical hashes (:func:`canonical_hash`): keccak256 (Ethereum's, as ``eth_hash`` computes it)
of the canonical JSON bytes of a document: UTF-8 of ``json.dumps(document, sort_keys=True,
separators=(",", ":"), ensure_ascii=True)``, i.e. keys sorted, no whitespace, non-ASCII
escaped, every integer a decimal string, no floats.

- :func:`input_hash` hashes :func:`canonical_round_json`: :func:`round_to_json` with bids and
  asks sorted by id, so the hash does not depend on the order a file lists them in.
- :func:`outcome_hash` hashes :func:`outcome_to_json` without its ``outcome_hash`` key; the
  outcome JSON carries ``input_hash``, so the outcome hash binds the input too.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

from eth_hash.auto import keccak

from proofmarket.exceptions import RoundFileError
from proofmarket.mechanism.types import (
    DEFAULT_MECHANISM,
    MECHANISM_NAMES,
    SURPLUS_POLICIES,
    UINT256_MAX,
    Ask,
    Bid,
    Outcome,
    RoundConfig,
    RoundInput,
)

_MISSING = object()
_DECIMAL = re.compile(r"-?[0-9]+")
_MAX_DIGITS = len(str(UINT256_MAX))

ROUND_FIELDS = ("mechanism", "config", "bids", "asks")
CONFIG_FIELDS = ("capacity", "reserve_wei_per_constraint", "surplus", "base_fee_wei_per_constraint", "max_bids_per_chunk")
BID_FIELDS = ("id", "fee_wei", "constraints")
ASK_FIELDS = ("id", "unit_cost_wei", "capacity")


class RoundFileFieldError(RoundFileError):
    """A field of a round file breaks a rule; ``field`` is its path (``bids[3].fee_wei``)."""

    def __init__(self, field: str, problem: str, value: object = _MISSING) -> None:
        self.field = field
        self.problem = problem
        self.has_value = value is not _MISSING
        self.value = value if self.has_value else None
        shown = f", got {_show(value)}" if self.has_value else ""
        super().__init__(f"{field}: {problem}{shown}")

    def with_prefix(self, prefix: str) -> RoundFileFieldError:
        """The same error with its field path prefixed (``line 3: bids[0].fee_wei``)."""
        return RoundFileFieldError(f"{prefix}{self.field}", self.problem, self.value if self.has_value else _MISSING)


def _show(value: object) -> str:
    """A short rendering of an offending value for an error message."""
    text = json.dumps(value) if isinstance(value, (str, int, float, bool, type(None))) else f"a JSON {_json_kind(value)}"
    return text if len(text) <= 80 else text[:77] + "..."


def _json_kind(value: object) -> str:
    return {dict: "object", list: "list"}.get(type(value), type(value).__name__)


# --- parsing ---------------------------------------------------------------------------------


def parse_round(data: str | bytes | Mapping[str, Any]) -> RoundInput:
    """Parse a round input file (JSON text, bytes, or an already decoded object).

    Raises :class:`RoundFileFieldError` naming the field and the rule it breaks.
    """
    document = _decode_document(data)
    _require_known_fields("round", document, ROUND_FIELDS)
    mechanism = document.get("mechanism", DEFAULT_MECHANISM)
    if mechanism not in MECHANISM_NAMES:
        raise RoundFileFieldError("mechanism", f"must be one of {', '.join(MECHANISM_NAMES)}", mechanism)
    config = _parse_config(_require_field("round", document, "config"))
    bids = tuple(_parse_bid(f"bids[{index}]", item) for index, item in enumerate(_require_list(document, "bids")))
    asks = tuple(_parse_ask(f"asks[{index}]", item) for index, item in enumerate(_require_list(document, "asks")))
    _require_unique_ids("bids", "bid", [bid.id for bid in bids])
    _require_unique_ids("asks", "ask", [ask.id for ask in asks])
    return RoundInput(mechanism=mechanism, config=config, bids=bids, asks=asks)


def iter_rounds_jsonl(lines: Iterator[str] | list[str]) -> Iterator[tuple[int, RoundInput]]:
    """Parse one round per line (blank lines skipped), yielding ``(line_number, round)``.

    Raises :class:`RoundFileFieldError` whose field is prefixed with ``line N:``.
    """
    for line_number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield line_number, parse_round(line)
        except RoundFileFieldError as error:
            raise error.with_prefix(f"line {line_number}: ") from None


def _decode_document(data: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    """JSON text or bytes to an object; a mapping is taken as already decoded."""
    if isinstance(data, Mapping):
        return data
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise RoundFileFieldError("round file", f"is not UTF-8 ({error.reason} at byte {error.start})") from None
    if not isinstance(data, str):
        raise RoundFileFieldError("round file", f"must be JSON text, bytes or an object, not {type(data).__name__}")
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        raise RoundFileFieldError(
            "round file", f"is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except ValueError as error:  # e.g. an integer literal longer than Python accepts
        raise RoundFileFieldError("round file", f"is not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise RoundFileFieldError("round file", f"must be a JSON object, not a JSON {_json_kind(document)}")
    return document


def _require_known_fields(path: str, document: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse a field the format does not define (the first one, in sorted order)."""
    for name in sorted(set(document) - set(allowed)):
        field = name if path == "round" else f"{path}.{name}"
        raise RoundFileFieldError(field, f"unknown field (allowed: {', '.join(allowed)})")


def _require_field(path: str, document: Mapping[str, Any], name: str) -> Any:
    """The value of a required field, or an error naming it."""
    if name not in document:
        raise RoundFileFieldError(name if path == "round" else f"{path}.{name}", "missing field")
    return document[name]


def _require_list(document: Mapping[str, Any], name: str) -> list[Any]:
    """A required top-level list (``bids``, ``asks``)."""
    value = _require_field("round", document, name)
    if not isinstance(value, list):
        raise RoundFileFieldError(name, "must be a list", value)
    return value


def _require_object(path: str, value: Any, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    """An object with only ``allowed`` fields."""
    if not isinstance(value, dict):
        raise RoundFileFieldError(path, "must be an object", value)
    _require_known_fields(path, value, allowed)
    return value


def parse_integer(field: str, value: Any, minimum: int) -> int:
    """A JSON number or decimal string as an int in ``[minimum, 2**256 − 1]``.

    Raises :class:`RoundFileFieldError`: not an integer, negative, zero where a size must be
    at least 1, or above ``2**256 − 1``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RoundFileFieldError(field, "must be an integer (a JSON number or a decimal string)", value)
    if isinstance(value, str):
        if not _DECIMAL.fullmatch(value):
            raise RoundFileFieldError(field, "must be an integer (a JSON number or a decimal string)", value)
        if len(value.lstrip("-").lstrip("0")) > _MAX_DIGITS:
            raise RoundFileFieldError(field, "must fit in 256 bits", value)
        value = int(value)
    if value < 0:
        raise RoundFileFieldError(field, "must not be negative", value)
    if value < minimum:
        raise RoundFileFieldError(field, f"must be at least {minimum} (zero size)", value)
    if value > UINT256_MAX:
        raise RoundFileFieldError(field, "must fit in 256 bits", value)
    return value


def _parse_id(field: str, value: Any) -> str:
    """A non-empty string id."""
    if not isinstance(value, str) or not value:
        raise RoundFileFieldError(field, "must be a non-empty string", value)
    return value


def _parse_config(value: Any) -> RoundConfig:
    """``config``: ``capacity`` required (≥ 1), the rest default as in :class:`RoundConfig`."""
    config = _require_object("config", value, CONFIG_FIELDS)
    capacity = parse_integer("config.capacity", _require_field("config", config, "capacity"), 1)
    reserve = parse_integer("config.reserve_wei_per_constraint", config.get("reserve_wei_per_constraint", 0), 0)
    base_fee = parse_integer("config.base_fee_wei_per_constraint", config.get("base_fee_wei_per_constraint", 0), 0)
    max_bids = parse_integer("config.max_bids_per_chunk", config.get("max_bids_per_chunk", 0), 0)
    surplus = config.get("surplus", "treasury")
    if surplus not in SURPLUS_POLICIES:
        raise RoundFileFieldError("config.surplus", f"must be one of {', '.join(SURPLUS_POLICIES)}", surplus)
    return RoundConfig(
        capacity=capacity,
        reserve_wei_per_constraint=reserve,
        surplus=surplus,
        base_fee_wei_per_constraint=base_fee,
        max_bids_per_chunk=max_bids,
    )


def _parse_bid(path: str, value: Any) -> Bid:
    """One bid: ``id``, ``fee_wei`` (≥ 0), ``constraints`` (≥ 1)."""
    bid = _require_object(path, value, BID_FIELDS)
    return Bid(
        id=_parse_id(f"{path}.id", _require_field(path, bid, "id")),
        fee_wei=parse_integer(f"{path}.fee_wei", _require_field(path, bid, "fee_wei"), 0),
        constraints=parse_integer(f"{path}.constraints", _require_field(path, bid, "constraints"), 1),
    )


def _parse_ask(path: str, value: Any) -> Ask:
    """One ask: ``id``, ``unit_cost_wei`` (≥ 0), ``capacity`` (≥ 1)."""
    ask = _require_object(path, value, ASK_FIELDS)
    return Ask(
        id=_parse_id(f"{path}.id", _require_field(path, ask, "id")),
        unit_cost_wei=parse_integer(f"{path}.unit_cost_wei", _require_field(path, ask, "unit_cost_wei"), 0),
        capacity=parse_integer(f"{path}.capacity", _require_field(path, ask, "capacity"), 1),
    )


def _require_unique_ids(list_name: str, kind: str, ids: list[str]) -> None:
    """Refuse the first id that occurs twice in a list, naming both positions."""
    first_index: dict[str, int] = {}
    for index, identifier in enumerate(ids):
        if identifier in first_index:
            raise RoundFileFieldError(
                f"{list_name}[{index}].id", f"duplicate {kind} id (also {list_name}[{first_index[identifier]}])", identifier
            )
        first_index[identifier] = index


# --- serialising -----------------------------------------------------------------------------


def round_to_json(round_input: RoundInput) -> dict[str, Any]:
    """The round input as a JSON object, integers as decimal strings, bids and asks in order.

    ``max_bids_per_chunk`` is written only when it bounds something (non-zero), so a round without
    the bound has the same file and hash as before the field existed.
    """
    config = round_input.config
    config_json = {
        "capacity": str(config.capacity),
        "reserve_wei_per_constraint": str(config.reserve_wei_per_constraint),
        "surplus": config.surplus,
        "base_fee_wei_per_constraint": str(config.base_fee_wei_per_constraint),
    }
    if config.max_bids_per_chunk:
        config_json["max_bids_per_chunk"] = str(config.max_bids_per_chunk)
    return {
        "mechanism": round_input.mechanism,
        "config": config_json,
        "bids": [{"id": bid.id, "fee_wei": str(bid.fee_wei), "constraints": str(bid.constraints)} for bid in round_input.bids],
        "asks": [
            {"id": ask.id, "unit_cost_wei": str(ask.unit_cost_wei), "capacity": str(ask.capacity)} for ask in round_input.asks
        ],
    }


def canonical_round_json(round_input: RoundInput) -> dict[str, Any]:
    """:func:`round_to_json` with bids and asks sorted by id: the form :func:`input_hash` hashes."""
    document = round_to_json(round_input)
    document["bids"].sort(key=lambda bid: bid["id"])
    document["asks"].sort(key=lambda ask: ask["id"])
    return document


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """The outcome as a JSON object, integers as decimal strings, with both hashes (0x hex)."""
    document = _outcome_body(outcome)
    document["outcome_hash"] = "0x" + outcome_hash(outcome).hex()
    return document


def _outcome_body(outcome: Outcome) -> dict[str, Any]:
    """The outcome JSON without ``outcome_hash`` (what :func:`outcome_hash` hashes)."""
    next_base_fee = outcome.next_base_fee_wei_per_constraint
    return {
        "mechanism": outcome.mechanism,
        "input_hash": "0x" + input_hash(outcome.round_input).hex(),
        "included_bid_ids": list(outcome.included_bid_ids),
        "charges_wei": {bid_id: str(charge) for bid_id, charge in outcome.charges_wei.items()},
        "rebates_wei": {bid_id: str(rebate) for bid_id, rebate in outcome.rebates_wei.items()},
        "chunks": [
            {
                "prover_id": chunk.prover_id,
                "bid_ids": list(chunk.bid_ids),
                "constraints": str(chunk.constraints),
                "payment_wei": str(chunk.payment_wei),
            }
            for chunk in outcome.chunks
        ],
        "price": {"num": str(outcome.price.num), "den": str(outcome.price.den)},
        "revenue_wei": str(outcome.revenue_wei),
        "payouts_wei": str(outcome.payouts_wei),
        "surplus_wei": str(outcome.surplus_wei),
        "burn_wei": str(outcome.burn_wei),
        "treasury_wei": str(outcome.treasury_wei),
        "next_base_fee_wei_per_constraint": None if next_base_fee is None else str(next_base_fee),
    }


# --- hashing ---------------------------------------------------------------------------------


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """The canonical bytes of a JSON document: sorted keys, no whitespace, ASCII only.

    The caller supplies numbers as decimal strings (the ``*_to_json`` functions do);
    :func:`canonical_hash` checks that for documents it did not build. Raises ``TypeError`` on
    a value JSON cannot encode.
    """
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=_refuse).encode(
        "ascii"
    )


def _refuse(value: Any) -> Any:
    raise TypeError(f"canonical JSON holds only strings, lists, objects, booleans and null; got {type(value).__name__}")


def canonical_hash(value: RoundInput | Outcome | Mapping[str, Any]) -> bytes:
    """keccak256 of the canonical JSON: of a round input (:func:`input_hash`), an outcome
    (:func:`outcome_hash`) or any JSON document already in canonical form (32 bytes)."""
    if isinstance(value, RoundInput):
        return input_hash(value)
    if isinstance(value, Outcome):
        return outcome_hash(value)
    _require_string_numbers(value)
    return keccak(canonical_json(value))


def _require_string_numbers(value: Any) -> None:
    """Walk a JSON document and raise ``TypeError`` on a JSON number: numbers must be decimal
    strings (money is never a float, and big integers must not depend on a parser)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise TypeError(f"canonical JSON writes numbers as decimal strings; got {value!r}")
    if isinstance(value, Mapping):
        for item in value.values():
            _require_string_numbers(item)
    elif isinstance(value, list):
        for item in value:
            _require_string_numbers(item)


def input_hash(round_input: RoundInput) -> bytes:
    """The 32-byte input hash the clearinghouse puts on-chain: keccak256 of the canonical JSON
    of the round input with bids and asks sorted by id."""
    return keccak(canonical_json(canonical_round_json(round_input)))


def outcome_hash(outcome: Outcome) -> bytes:
    """keccak256 of the canonical JSON of the outcome without its ``outcome_hash`` key."""
    return keccak(canonical_json(_outcome_body(outcome)))
