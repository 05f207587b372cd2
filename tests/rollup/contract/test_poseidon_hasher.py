"""PoseidonHasher on the devnet: circomlib's Poseidon of 2, 3 and 4 inputs equals the Python
``proofmarket.zk.poseidon.poseidon`` (itself checked against circomlib's circuit and vectors,
tests/zk), refuses inputs outside the field, fits the code size limit; its constants are the
generator's output."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proofmarket.chain.compiler import artifact
from proofmarket.chain.errors import ErrorDecoder
from proofmarket.chain.transactions import call_function, send_transaction
from proofmarket.zk.circuit import CIRCOMLIB_POSEIDON_CONSTANTS, POSEIDON_WIDE_CONSTANTS_SOLIDITY
from proofmarket.zk.codegen import render_poseidon_wide_constants_solidity
from proofmarket.zk.field import SCALAR_FIELD_ORDER
from proofmarket.zk.poseidon import poseidon
from proofmarket.zk.toolchain import node_modules_directory
from tests.contracts.helpers import reverts

#: EIP-170: the most bytes of runtime code a contract may have.
CODE_SIZE_LIMIT = 24_576

field_elements = st.one_of(st.integers(0, SCALAR_FIELD_ORDER - 1), st.sampled_from([0, 1, SCALAR_FIELD_ORDER - 1]))


def hash_of(hasher, inputs: list[int]) -> int:
    function = getattr(hasher.functions, f"hash{len(inputs)}")
    return call_function(function(*inputs), ErrorDecoder([hasher.abi]))


@pytest.mark.parametrize("width", [2, 3, 4])
@given(data=st.data())
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_hasher_equals_the_python_poseidon(hasher, width, data):
    inputs = data.draw(st.lists(field_elements, min_size=width, max_size=width))
    assert hash_of(hasher, inputs) == poseidon(inputs)


def test_hasher_matches_circomlibs_published_vectors(hasher):
    assert hash_of(hasher, [1, 2]) == 0x115CC0F5E7D690413DF64C6B9662E9CF2A3617F2743245519E19607A4417189A
    assert hash_of(hasher, [1, 2, 3]) == 0x0E7732D89E6939C0FF03D5E58DAB6302F3230E269DC5B968F725DF34AB36D732
    assert hash_of(hasher, [1, 2, 3, 4]) == 0x299C867DB6C1FDD79DCEFA40E4510B9837E60EBB1CE0663DBAA525DF65250465


@pytest.mark.parametrize("width", [2, 3, 4])
def test_hasher_refuses_an_input_outside_the_field(hasher, width):
    for index in range(width):
        inputs = [1] * width
        inputs[index] = SCALAR_FIELD_ORDER + index
        with reverts("InputNotInField", index=index, value=SCALAR_FIELD_ORDER + index):
            hash_of(hasher, inputs)


def test_hashers_fit_the_code_size_limit():
    for name in ("PoseidonHasher", "Poseidon4Hasher"):
        assert len(artifact(name).deployed_bytecode) // 2 < CODE_SIZE_LIMIT, name


def test_committed_solidity_wide_constants_are_the_generators_output():
    source = node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS
    expected = render_poseidon_wide_constants_solidity(source.read_text(), f"node_modules/{CIRCOMLIB_POSEIDON_CONSTANTS}")
    assert POSEIDON_WIDE_CONSTANTS_SOLIDITY.read_text() == expected


def test_hash_gas_is_measured(web3, signers, hasher):
    """gasUsed of a transaction calling each hash (21,000 base and calldata included)."""
    used = {}
    for width in (2, 3, 4):
        inputs = [SCALAR_FIELD_ORDER - 1 - index for index in range(width)]
        data = hasher.encode_abi(f"hash{width}", args=inputs)
        receipt = send_transaction(web3, signers[0], {"to": hasher.address, "data": data})
        used[width] = receipt["gasUsed"]
    print(f"PoseidonHasher gas per transaction: hash2 {used[2]}, hash3 {used[3]}, hash4 {used[4]}")
    assert used[2] < used[3] < used[4] < 120_000


def test_codegen_names_its_subcommands_on_a_wrong_one(capsys):
    from proofmarket.zk.codegen import main

    assert main(["poseidon-narrow"]) == 2
    assert "{poseidon|poseidon-wide}" in capsys.readouterr().err
