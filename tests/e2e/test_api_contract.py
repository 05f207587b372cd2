"""The bid API's contract with its clients, on the real served app: round ids outside the stored
range are 404s, numbers are ASCII decimal and hex is hex, a body that is not JSON is a 415 (or a
400), a stalled body is a 408 that closes the connection, every error has one shape, and every
status answered is declared in the OpenAPI document. docs/api.md states these rules."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import httpx
import pytest

from proofmarket.api.app import BODY_TIMEOUT_VARIABLE, MAX_BODY_BYTES, RequestBodyLimits, create_app
from proofmarket.bootstrap import ApiServer

INT64_LIMIT = 2**63


@pytest.fixture(scope="module")
def http(stack):
    with httpx.Client(base_url=stack.server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def openapi(http):
    return http.get("/openapi.json").json()


@pytest.fixture
def good_bid(stack):
    return stack.signed_bids(stack.open_round(), 1)[0]


def refused(response: httpx.Response, status: int, *words: str) -> str:
    """The answer is ``status`` with exactly ``{"error": "<one line>"}`` containing ``words``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str), body
    assert "\n" not in body["error"] and body["error"]
    for word in words:
        assert word in body["error"], body["error"]
    return body["error"]


# --- round ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "/input", "/outcome"])
@pytest.mark.parametrize("round_id", [INT64_LIMIT, 2**64 - 1, 2**64, 10**40])
def test_round_status_answers_404_for_id_above_int64(http, suffix, round_id):
    refused(http.get(f"/v1/rounds/{round_id}{suffix}"), 404, f"no round {round_id}", str(INT64_LIMIT - 1))


@pytest.mark.parametrize("suffix", ["", "/input", "/outcome"])
@pytest.mark.parametrize("round_id", ["-1", "-0", "+1", "1.0", "1e3", "0x10", "abc", "١", "１", "%201", "1%20"])
def test_round_ids_that_are_not_decimal_digits_answer_404(http, suffix, round_id):
    refused(http.get(f"/v1/rounds/{round_id}{suffix}"), 404, "not found")


def test_a_round_that_has_not_started_answers_404_naming_the_open_round(http, stack):
    open_round = stack.open_round()
    for future in (open_round + 1, open_round + 1000, INT64_LIMIT - 1):
        refused(http.get(f"/v1/rounds/{future}"), 404, f"round {future} has not started", f"the open round is {open_round}")


def test_the_open_round_is_open_and_a_past_uncleared_round_is_closed(http, stack):
    open_round = stack.open_round()
    status = http.get(f"/v1/rounds/{open_round}")
    assert status.status_code == 200, status.text
    assert status.json()["state"] == "open"
    stack.close(open_round)  # mines to the next round; the clearinghouse has not run
    closed = http.get(f"/v1/rounds/{open_round}").json()
    assert closed["state"] == "closed" and closed["chunks"] == []
    refused(http.get(f"/v1/rounds/{open_round}/input"), 404, f"no input file for round {open_round}")


# --- numbers and hex ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["١٠٠", "１００", "²", "𝟏𝟎𝟎", " 100", "100 ", "+100", "1_000", "100\n", "", "0x64"])
def test_decimal_fields_take_ascii_digits_only(http, good_bid, value):
    refused(http.post("/v1/bids", json=dict(good_bid, max_fee=value)), 422, "max_fee", "decimal integer")


@pytest.mark.parametrize("field", ["round", "nonce", "constraints"])
def test_every_integer_field_refuses_non_ascii_digits(http, good_bid, field):
    refused(http.post("/v1/bids", json=dict(good_bid, **{field: "٣"})), 422, field, "ASCII")


def test_ascii_decimal_strings_are_still_accepted(http, good_bid):
    body = dict(good_bid, round=str(good_bid["round"]), nonce=str(good_bid["nonce"]), constraints=str(good_bid["constraints"]))
    assert http.post("/v1/bids", json=body).status_code == 201


@pytest.mark.parametrize("field", ["user", "tx_hash", "signature"])
@pytest.mark.parametrize("blank", [" ", "\t", "\n", "\u00a0"])
def test_hex_fields_refuse_whitespace(http, good_bid, field, blank):
    value = good_bid[field]
    for spaced in (value[:10] + blank + value[10:], value + blank, "0x" + blank + value[2:]):
        refused(http.post("/v1/bids", json=dict(good_bid, **{field: spaced})), 422, field, "hex")


@pytest.mark.parametrize("value", ["0X" + "ab" * 32, "0x" + "ab" * 31 + "a", "0x" + "٣" * 64, "0x" + "ab" * 30 + "-_ab"])
def test_hex_fields_take_0x_and_hex_digits_only(http, good_bid, value):
    refused(http.post("/v1/bids", json=dict(good_bid, tx_hash=value)), 422, "tx_hash", "hex")


# --- bodies that are not JSON ------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"]
)
@pytest.mark.parametrize("path", ["/v1/bids", "/v1/bids/batch", "/v1/asks"])
def test_a_body_that_is_not_json_is_a_415(http, path, content_type):
    headers = {"content-type": content_type} if content_type else {}
    response = http.post(path, content=b'{"bids": []}', headers=headers)  # httpx adds no Content-Type itself
    refused(response, 415, "unsupported media type", "application/json")


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "application/problem+json"])
def test_unparsable_json_with_a_json_content_type_is_a_400(http, content_type):
    refused(http.post("/v1/bids", content=b'{"user": ', headers={"content-type": content_type}), 400, "malformed JSON")


def test_a_body_that_is_not_utf8_is_a_400(http, good_bid):
    body = b'{"user": "\xff\xfe"}'
    refused(http.post("/v1/bids", content=body, headers={"content-type": "application/json"}), 400, "malformed JSON", "UTF-8")


@pytest.mark.parametrize("path", ["/v1/bids", "/v1/bids/batch", "/v1/asks"])
def test_no_body_is_a_400(http, path):
    refused(http.post(path, headers={"content-type": "application/json"}), 400, "missing body", path)


@pytest.mark.parametrize("body", [b"[]", b'"bid"', b"1", b"null"])
def test_json_that_is_not_an_object_is_a_422(http, body):
    refused(http.post("/v1/bids", content=body, headers={"content-type": "application/json"}), 422)


def test_a_chunked_body_over_the_limit_is_a_413(http):
    def chunks():
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536

    response = http.post("/v1/bids", content=chunks(), headers={"content-type": "application/json"})
    refused(response, 413, "body too large")
    assert response.headers["connection"] == "close"


def test_a_declared_body_over_the_limit_is_a_413_without_reading_it(http):
    response = http.post("/v1/bids", content=b" " * (MAX_BODY_BYTES + 1), headers={"content-type": "application/json"})
    refused(response, 413, "body too large", str(MAX_BODY_BYTES))
    assert response.headers["connection"] == "close"


# --- a body that never arrives -----------------------------------------------------------------


@pytest.fixture(scope="module")
def impatient_server(stack):
    """The same clearinghouse behind an app whose body timeout is 0.5 seconds."""
    node = stack.node
    server = ApiServer(create_app(node.clearinghouse, node.view, node.writer, body_timeout_seconds=0.5)).start()
    yield server
    server.stop()


def _send_and_wait(url: str, request: bytes, then: bytes = b"", interval: float = 0.0) -> tuple[bytes, float, bool]:
    """Send ``request``, then ``then`` a byte every ``interval`` s; returns (answer, seconds to the
    answer, whether the server closed the connection after it)."""
    address = urlparse(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        started = time.monotonic()
        connection.sendall(request)
        connection.settimeout(interval or 10)
        answer = b""
        for byte in then:
            connection.sendall(bytes([byte]))
            try:
                answer = connection.recv(65536)
                break
            except TimeoutError:
                continue
        connection.settimeout(10)
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)
        elapsed = time.monotonic() - started
        rest = answer
        while True:
            try:
                more = connection.recv(65536)
            except ConnectionResetError:  # closed with bytes of ours unread: the kernel sends a reset
                return rest, elapsed, True
            if not more:
                return rest, elapsed, True
            rest += more


def _post_head(length: int) -> bytes:
    return (
        f"POST /v1/bids HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def _status_and_body(answer: bytes) -> tuple[int, bytes, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.lower(), body


def test_a_stalled_body_gets_408_and_its_connection_closed(impatient_server):
    answer, elapsed, closed = _send_and_wait(impatient_server.url, _post_head(100) + b'{"user": ')
    status, head, body = _status_and_body(answer)
    assert status == 408 and b"connection: close" in head
    assert b"request timeout" in body and b"0.5 seconds" in body
    assert 0.4 < elapsed < 3 and closed


def test_a_trickled_body_is_cut_off_at_the_deadline_too(impatient_server):
    # a byte every 0.2 s keeps any per-read timeout happy; the deadline is for the whole body
    answer, elapsed, closed = _send_and_wait(impatient_server.url, _post_head(100), then=b"x" * 100, interval=0.2)
    assert _status_and_body(answer)[0] == 408
    assert 0.4 < elapsed < 3 and closed


def test_the_served_app_times_out_a_stalled_body_within_a_few_seconds(stack):
    answer, elapsed, closed = _send_and_wait(stack.server.url, _post_head(10))
    assert _status_and_body(answer)[0] == 408
    assert elapsed < 8 and closed


def test_the_body_timeout_is_configurable_by_environment(stack, monkeypatch):
    monkeypatch.setenv(BODY_TIMEOUT_VARIABLE, "2.5")
    app = create_app(stack.node.clearinghouse, stack.node.view, stack.node.writer)
    [limits] = [middleware for middleware in app.user_middleware if middleware.cls is RequestBodyLimits]
    assert limits.kwargs["timeout_seconds"] == 2.5
    monkeypatch.setenv(BODY_TIMEOUT_VARIABLE, "0")
    with pytest.raises(ValueError, match="positive"):
        create_app(stack.node.clearinghouse, stack.node.view, stack.node.writer)


# --- one error shape, every status declared ----------------------------------------------------


def _declared(openapi: dict, method: str, template: str) -> dict:
    return openapi["paths"][template][method.lower()]["responses"]


def _answers(stack, good_bid) -> list[tuple[str, str, httpx.Request | dict]]:
    """(method, OpenAPI path template, request) for one answer of each kind the API gives."""
    round_id = stack.open_round()
    json_headers = {"content-type": "application/json"}
    over = dict(good_bid, round=round_id + 7)
    return [
        ("POST", "/v1/bids", {"json": good_bid}),  # 201
        ("POST", "/v1/bids", {"json": good_bid}),  # 409
        ("POST", "/v1/bids", {"json": over}),  # 422
        ("POST", "/v1/bids", {"content": b"{", "headers": json_headers}),  # 400
        ("POST", "/v1/bids", {"content": b"", "headers": json_headers}),  # 400
        ("POST", "/v1/bids", {"content": b"{}", "headers": {"content-type": "text/plain"}}),  # 415
        ("POST", "/v1/bids", {"content": b" " * (MAX_BODY_BYTES + 1), "headers": json_headers}),  # 413
        ("POST", "/v1/bids/batch", {"json": {"bids": []}}),  # 422
        ("POST", "/v1/bids/batch", {"json": {"bids": [good_bid]}}),  # 200
        ("POST", "/v1/asks", {"json": {}}),  # 422
        ("GET", "/v1/rounds/{round_id}", {"url": f"/v1/rounds/{round_id}"}),  # 200
        ("GET", "/v1/rounds/{round_id}", {"url": f"/v1/rounds/{round_id + 1}"}),  # 404
        ("GET", "/v1/rounds/{round_id}", {"url": f"/v1/rounds/{INT64_LIMIT}"}),  # 404
        ("GET", "/v1/rounds/{round_id}/input", {"url": f"/v1/rounds/{round_id}/input"}),  # 404
        ("GET", "/v1/rounds/{round_id}/outcome", {"url": "/v1/rounds/-3/outcome"}),  # 404
        ("GET", "/v1/provers/{prover}/assignments", {"url": f"/v1/provers/{good_bid['user']}/assignments"}),  # 200
        ("GET", "/v1/provers/{prover}/assignments", {"url": "/v1/provers/alice/assignments"}),  # 404
        ("GET", "/v1/provers/{prover}/assignments", {"url": f"/v1/provers/{good_bid['user']}/assignments?state=lost"}),  # 422
        ("GET", "/v1/market", {}),  # 200
        ("GET", "/v1/health", {}),  # 200
        ("GET", "/v1/sequences", {}),  # 404: this market has no sequencer (200 in test_rollup_rounds.py)
    ]


def test_every_status_answered_is_declared_with_the_error_schema(http, openapi, stack, good_bid):
    seen = set()
    for method, template, request in _answers(stack, good_bid):
        url = request.pop("url", template)
        response = http.request(method, url, **request)
        declared = _declared(openapi, method, template)
        status = str(response.status_code)
        assert status in declared, f"{method} {url} answered {status}, not declared in {sorted(declared)}"
        if response.status_code >= 400:
            refused(response, response.status_code)
            assert declared[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
        seen.add(response.status_code)
    assert {200, 201, 400, 404, 409, 413, 415, 422} <= seen


def test_a_server_error_has_the_error_shape_and_no_details(stack):
    node = stack.node

    class BrokenView:
        parameters = node.view.parameters

        def open_round(self):
            raise ZeroDivisionError("a secret detail")

    server = ApiServer(create_app(node.clearinghouse, BrokenView(), node.writer)).start()
    try:
        response = httpx.get(f"{server.url}/v1/rounds/{INT64_LIMIT - 2}", timeout=30)
    finally:
        server.stop()
    message = refused(response, 500, "internal error", "ZeroDivisionError")
    assert "secret" not in message


def test_unknown_paths_and_wrong_methods_have_the_error_shape(http):
    refused(http.get("/v1/nothing"), 404, "not found", "/v1/nothing")
    refused(http.get("/v1/rounds/0/files"), 404, "not found", "/v1/rounds/0/files")
    response = http.delete("/v1/rounds/0")
    refused(response, 405, "method not allowed", "DELETE")
    assert response.headers["allow"] == "GET"
    refused(http.get("/v1/bids"), 405, "method not allowed")
    refused(http.get("/v1/rounds/x%0Ay"), 404, "x\\ny", "decimal digits")
    refused(http.get("/v1/r%C3%B8unds"), 404, "/v1/r\\xf8unds")


def test_the_openapi_document_declares_only_the_error_shape(openapi):
    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    error_body = openapi["components"]["schemas"]["ErrorBody"]
    assert error_body["additionalProperties"] is False and error_body["required"] == ["error"]
    assert list(error_body["properties"]) == ["error"] and error_body["properties"]["error"]["type"] == "string"
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            assert "500" in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
    bids = _declared(openapi, "POST", "/v1/bids")
    assert {"201", "400", "402", "408", "409", "413", "415", "422", "500"} == set(bids)
    assert set(_declared(openapi, "GET", "/v1/rounds/{round_id}")) == {"200", "404", "500"}


def test_the_openapi_document_states_exact_integer_bounds(openapi):
    constraints = openapi["components"]["schemas"]["BidIn"]["properties"]["constraints"]["anyOf"]
    assert constraints[0] == {"type": "integer", "minimum": 1, "maximum": 2**64 - 1}
    max_fee = openapi["components"]["schemas"]["BidIn"]["properties"]["max_fee"]["anyOf"]
    assert max_fee[0]["maximum"] == 2**256 - 1 and max_fee[1]["pattern"] == "^[0-9]{1,80}$"
    [round_id] = openapi["paths"]["/v1/rounds/{round_id}"]["get"]["parameters"]
    assert round_id["schema"]["minimum"] == 0 and round_id["schema"]["maximum"] == INT64_LIMIT - 1


def test_sequences_answer_404_on_a_market_without_a_sequencer(http):
    refused(http.get("/v1/sequences"), 404, "this market has no sequencer")
