"""The bid API documents itself, on the served app: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc)
load every asset from the API's own origin (so they work with no internet), every field of the
OpenAPI document is described (with an example for every value), every wei amount a response
gives is a decimal string, and the market and health answers are typed. docs/api.md states it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from jsonschema_rs import Draft202012Validator  # schemathesis's validator (the test extra)

#: A wei amount's field name (``payment_wei``, ``reserve_wei_per_constraint``, ``charges_wei``).
WEI_FIELD = re.compile(r"(^|_)wei(_|$)")


@pytest.fixture(scope="module")
def http(stack):
    with httpx.Client(base_url=stack.server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def openapi(http):
    return http.get("/openapi.json").json()


class _Urls(HTMLParser):
    """Every URL an HTML page makes the browser load: src/href attributes, ReDoc's spec-url, and
    the string literals of inline scripts that look like URLs (Swagger UI's ``url: '...'``)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "spec-url") and value:
                self.urls.append(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.urls += [url for _, url in re.findall(r"""(['"])((?:https?:)?//[^'"]*|/[^'"/][^'"]*)\1""", data)]


def _page_urls(html: str) -> list[str]:
    parser = _Urls()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize(("page", "asset_types"), [
    ("/docs", {"swagger-ui-bundle.js": "javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}),
    ("/redoc", {"redoc.standalone.js": "javascript", "favicon.png": "image/png"}),
])
def test_the_docs_pages_load_only_same_origin_assets_and_the_assets_are_served(http, stack, page, asset_types):
    response = http.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "cdn." not in html and "fonts.googleapis" not in html and "validator.swagger.io" not in html
    urls = _page_urls(html)
    origin = urlparse(stack.server.url).netloc
    served = {}
    for url in urls:
        absolute = urlparse(urljoin(stack.server.url + page, url))
        assert absolute.netloc == origin and not url.startswith("//") and "://" not in url, f"{page} loads {url}"
        answer = http.get(absolute.path)
        assert answer.status_code == 200, f"{page}: {url} answered {answer.status_code}"
        served[absolute.path.rsplit("/", 1)[-1]] = answer
    assert "openapi.json" in served, urls
    assert served["openapi.json"].json()["info"]["title"] == "proofmarket bid API"
    for name, kind in asset_types.items():
        assert name in served, f"{page} does not load {name}: {urls}"
        assert kind in served[name].headers["content-type"], (name, served[name].headers["content-type"])
        assert len(served[name].content) > (1000 if name == "favicon.png" else 100_000), name  # the real bundle


def test_the_swagger_ui_page_turns_off_the_online_validator(http):
    assert re.search(r'"?validatorUrl"?\s*:\s*null', http.get("/docs").text)


def test_an_unknown_docs_asset_is_a_404_with_the_error_shape(http):
    response = http.get("/docs-assets/nothing.js")
    assert response.status_code == 404 and list(response.json()) == ["error"]


# --- the OpenAPI document describes everything ------------------------------------------------


def _properties(schema: dict, where: str):
    """(where, name, property schema) for every property of ``schema``, nested ones included."""
    for name, prop in schema.get("properties", {}).items():
        yield f"{where}.{name}", name, prop
        for part in [prop, prop.get("items", {}), *prop.get("anyOf", [])]:
            if "properties" in part:
                yield from _properties(part, f"{where}.{name}")


def test_every_schema_property_is_described_with_an_example(openapi):
    schemas = openapi["components"]["schemas"]
    seen = 0
    for schema_name, schema in schemas.items():
        assert schema.get("description"), f"schema {schema_name} has no description"
        for where, name, prop in _properties(schema, schema_name):
            seen += 1
            assert prop.get("description"), f"{where} has no description"
            assert prop.get("examples"), f"{where} has no example"
    assert seen > 80


def test_every_parameter_is_described(openapi):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("description") and operation.get("tags"), (method, path)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (method, path, parameter["name"])
                assert parameter["schema"].get("examples"), (method, path, parameter["name"])


def _response_schemas(openapi: dict) -> set[str]:
    """The component schemas any 2xx response reaches, through every $ref."""
    schemas = openapi["components"]["schemas"]
    pending = [
        content["schema"]
        for operations in openapi["paths"].values()
        for operation in operations.values()
        for status, response in operation["responses"].items()
        if status.startswith("2")
        for content in response.get("content", {}).values()
    ]
    reached: set[str] = set()
    while pending:
        text = str(pending.pop())
        for name in re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text):
            if name not in reached:
                reached.add(name)
                pending.append(schemas[name])
    return reached


def _is_decimal_string(schema: dict) -> bool:
    alternatives = schema.get("anyOf", [schema])
    strings = [part for part in alternatives if part.get("type") == "string"]
    others = [part for part in alternatives if part.get("type") not in ("string", "null")]
    return len(strings) == 1 and strings[0].get("pattern") == "^[0-9]+$" and not others


def test_every_wei_amount_in_a_response_is_a_decimal_string(openapi):
    schemas = openapi["components"]["schemas"]
    reached = _response_schemas(openapi)
    typed = {"MarketInfo", "Health", "RoundStatus", "Chunk", "Assignment", "RoundInputFile", "RoundOutcomeFile"}
    assert typed <= reached
    amounts = []
    for name in reached:
        for where, field, prop in _properties(schemas[name], name):
            if WEI_FIELD.search(field):
                value = prop.get("additionalProperties", prop) if prop.get("type") == "object" else prop
                assert _is_decimal_string(value), f"{where}: {prop}"
                amounts.append(where)
    assert {"MarketInfo.reserve_wei_per_constraint", "Chunk.payment_wei", "RoundOutcomeFile.charges_wei"} <= set(
        amounts
    )


def test_every_wei_amount_in_a_request_takes_a_decimal_string_or_an_integer(openapi):
    schemas = openapi["components"]["schemas"]
    for name, field in (("BidIn", "max_fee"), ("AskIn", "unit_cost")):
        kinds = {part["type"] for part in schemas[name]["properties"][field]["anyOf"]}
        assert kinds == {"integer", "string"}
        assert "wei" in schemas[name]["properties"][field]["description"]


# --- typed answers with the names the rest of the project uses --------------------------------


def test_the_market_answer_is_typed_with_wei_as_strings(http, stack):
    config = stack.client.config()
    market = http.get("/v1/market").json()
    assert market == {
        "chain_id": stack.web3.eth.chain_id,
        "market_address": stack.deployment.market,
        "capacity": config.capacity_per_round,
        "reserve_wei_per_constraint": str(config.reserve_per_constraint),
        "collateral_wei_per_constraint": str(config.collateral_per_constraint),
        "surplus_policy": config.surplus_policy.name.lower(),
        "genesis_block": config.genesis_block,
        "round_length_blocks": config.round_length_blocks,
        "proving_window_blocks": config.proving_window_blocks,
        "settlement_window_blocks": config.settlement_window_blocks,
        "max_bids_per_chunk": config.max_bids_per_chunk,
    }


def test_the_health_answer_names_the_market_as_the_market_answer_does(http, stack):
    health = http.get("/v1/health").json()
    assert set(health) == {"status", "reason", "version", "chain_id", "market_address", "block", "open_round"}
    assert health["market_address"] == http.get("/v1/market").json()["market_address"] == stack.deployment.market
    assert health["open_round"] == stack.open_round()
    assert (health["status"] == "ok") == (health["reason"] is None)


def _conforms(openapi: dict, schema_name: str, document) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": openapi["components"]}
    errors = [error.message for error in Draft202012Validator(schema).iter_errors(document)]
    assert not errors, (schema_name, errors[:3])


def test_a_settled_rounds_answers_conform_to_their_schemas_and_name_provers_by_address(http, stack, openapi):
    round_id, outcome, _, _ = stack.run_random_round(6)
    status = http.get(f"/v1/rounds/{round_id}").json()
    _conforms(openapi, "RoundOutcomeFile", outcome)
    _conforms(openapi, "RoundStatus", status)
    _conforms(openapi, "RoundInputFile", http.get(f"/v1/rounds/{round_id}/input").json())
    for agent in stack.agents:
        for assignment in http.get(f"/v1/provers/{agent.address}/assignments").json():
            _conforms(openapi, "Assignment", assignment)
    _conforms(openapi, "MarketInfo", http.get("/v1/market").json())
    _conforms(openapi, "Health", http.get("/v1/health").json())
    agents = {agent.address for agent in stack.agents}
    assert outcome["chunks"]
    for index, chunk in enumerate(outcome["chunks"]):
        assert chunk["prover"] == status["chunks"][index]["prover"]
        assert chunk["prover"] in agents
        assert re.fullmatch(r"0x[0-9a-f]{64}", chunk["prover_id"])  # the ask's id stays
    input_file = http.get(f"/v1/rounds/{round_id}/input").json()
    assert {chunk["prover_id"] for chunk in outcome["chunks"]} <= {ask["id"] for ask in input_file["asks"]}
