"""circomlib's Poseidon of 3, 4 and 5 inputs in Python equals circomlib's circuit (docs/rollup.md).

The rollup hashes account leaves with Poseidon(3) and transfers with Poseidon(4); the deposit
chain uses Poseidon(4) as well. Poseidon(5) is generated and checked too, for the next field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from proofmarket.zk.circuit import CIRCOMLIB_POSEIDON_CONSTANTS, POSEIDON_WIDE_CONSTANTS_MODULE
from proofmarket.zk.codegen import PoseidonSourceInvalid, parse_poseidon_constants, render_poseidon_wide_constants_module
from proofmarket.zk.field import SCALAR_FIELD_ORDER, FieldElementInvalid
from proofmarket.zk.poseidon import poseidon, poseidon2
from proofmarket.zk.toolchain import node_modules_directory

from .conftest import circuit_outputs, compile_test_circuit

#: circomlibjs's published test vectors (test/poseidon.js).
POSEIDON_1_2_3 = 0x0E7732D89E6939C0FF03D5E58DAB6302F3230E269DC5B968F725DF34AB36D732
POSEIDON_1_2_3_4 = 0x299C867DB6C1FDD79DCEFA40E4510B9837E60EBB1CE0663DBAA525DF65250465

@pytest.fixture(scope="module")
def poseidon_wide_wasm(tmp_path_factory) -> Path:
    """tests/zk/circuits/poseidon_wide.circom compiled with circom2."""
    return compile_test_circuit(tmp_path_factory, "poseidon_wide", outputs=3, private_inputs=5)


def test_poseidon_matches_circomlibs_published_vectors():
    assert poseidon([1, 2, 3]) == POSEIDON_1_2_3
    assert poseidon([1, 2, 3, 4]) == POSEIDON_1_2_3_4
    assert poseidon([1, 2]) == poseidon2(1, 2)


def test_poseidon_of_3_4_5_inputs_matches_the_circuit_witness(poseidon_wide_wasm, tmp_path):
    r = SCALAR_FIELD_ORDER
    vectors = [
        [0, 0, 0, 0, 0],
        [1, 2, 3, 4, 5],
        [r - 1] * 5,
        [2**160 - 1, 10**30, 7, 2**64 - 1, 3],
        [int.from_bytes(bytes([index + 1]) * 32, "big") % r for index in range(5)],
    ]
    inputs = [{"values": [str(value) for value in vector]} for vector in vectors]
    expected = [[poseidon(vector[:count]) for count in (3, 4, 5)] for vector in vectors]
    assert circuit_outputs(poseidon_wide_wasm, inputs, tmp_path, outputs=3) == expected


@pytest.mark.parametrize("inputs", [[], [1], [1, 2, 3, 4, 5, 6]])
def test_poseidon_refuses_an_unsupported_number_of_inputs(inputs):
    with pytest.raises(ValueError, match="not supported"):
        poseidon(inputs)


def test_poseidon_refuses_values_outside_the_field():
    with pytest.raises(FieldElementInvalid):
        poseidon([1, 2, SCALAR_FIELD_ORDER])


def test_committed_wide_constants_module_is_the_generators_output():
    source = node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS
    expected = render_poseidon_wide_constants_module(source.read_text(), f"node_modules/{CIRCOMLIB_POSEIDON_CONSTANTS}")
    assert POSEIDON_WIDE_CONSTANTS_MODULE.read_text() == expected


def test_wide_constants_parser_checks_the_round_count():
    text = (node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS).read_text()
    with pytest.raises(PoseidonSourceInvalid, match="round constants, expected"):
        parse_poseidon_constants(text, "source", width=4, partial_rounds=57)
