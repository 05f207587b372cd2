"""circomlib's Poseidon in Python equals circomlib's circuit and its published vector."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofmarket.zk.circuit import (
    CIRCOMLIB_POSEIDON_CONSTANTS,
    POSEIDON_CONSTANTS_MODULE,
    POSEIDON_CONSTANTS_SOLIDITY,
)
from proofmarket.zk.codegen import (
    PoseidonSourceInvalid,
    parse_poseidon_constants,
    render_poseidon_constants_module,
    render_poseidon_constants_solidity,
)
from proofmarket.zk.field import SCALAR_FIELD_ORDER, FieldElementInvalid
from proofmarket.zk.poseidon import poseidon2
from proofmarket.zk.toolchain import node_modules_directory

from .conftest import circuit_outputs, compile_test_circuit

#: circomlibjs's published test vector: poseidon([1, 2]).
POSEIDON_1_2 = 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A

@pytest.fixture(scope="module")
def poseidon_pair_wasm(tmp_path_factory) -> Path:
    """tests/zk/circuits/poseidon_pair.circom compiled with circom2."""
    return compile_test_circuit(tmp_path_factory, "poseidon_pair", outputs=1, private_inputs=2)


def circuit_poseidon(wasm: Path, pairs: list[tuple[int, int]], directory: Path) -> list[int]:
    inputs = [{"left": str(left), "right": str(right)} for left, right in pairs]
    return [values[0] for values in circuit_outputs(wasm, inputs, directory, outputs=1)]


def test_poseidon2_matches_circomlibs_published_vector():
    assert poseidon2(1, 2) == POSEIDON_1_2


def test_poseidon2_matches_the_circuit_witness(poseidon_pair_wasm, tmp_path):
    r = SCALAR_FIELD_ORDER
    pairs = [(0, 0), (1, 2), (3, 4), (r - 1, r - 1), (r - 1, 0), (2**160 - 1, 12345), (2**253, 2**252 + 7)]
    pairs += [(int.from_bytes(bytes([index]) * 32, "big") % r, index) for index in range(1, 4)]
    assert circuit_poseidon(poseidon_pair_wasm, pairs, tmp_path) == [poseidon2(left, right) for left, right in pairs]


@given(st.integers(0, SCALAR_FIELD_ORDER - 1), st.integers(0, SCALAR_FIELD_ORDER - 1))
@settings(max_examples=25, deadline=None)
def test_poseidon2_is_a_field_element(left, right):
    assert 0 <= poseidon2(left, right) < SCALAR_FIELD_ORDER


@pytest.mark.parametrize("left, right", [(SCALAR_FIELD_ORDER, 0), (0, -1), (1.0, 2), (True, 1)])
def test_poseidon2_refuses_values_outside_the_field(left, right):
    with pytest.raises(FieldElementInvalid):
        poseidon2(left, right)


def test_committed_constants_module_is_the_generators_output():
    source = node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS
    expected = render_poseidon_constants_module(source.read_text(), f"node_modules/{CIRCOMLIB_POSEIDON_CONSTANTS}")
    assert POSEIDON_CONSTANTS_MODULE.read_text() == expected


def test_committed_solidity_constants_are_the_generators_output():
    source = node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS
    expected = render_poseidon_constants_solidity(source.read_text(), f"node_modules/{CIRCOMLIB_POSEIDON_CONSTANTS}")
    assert POSEIDON_CONSTANTS_SOLIDITY.read_text() == expected


def test_constants_parser_refuses_an_unexpected_shape():
    text = (node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS).read_text()
    with pytest.raises(PoseidonSourceInvalid, match="no function POSEIDON_M"):
        parse_poseidon_constants(text.replace("function POSEIDON_M(t)", "function OTHER(t)"), "edited")
    truncated = text.replace("t == 3", "t == 33", 1)
    with pytest.raises(PoseidonSourceInvalid, match="no branch for t == 3"):
        parse_poseidon_constants(truncated, "edited")
