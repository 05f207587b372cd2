"""circomlib's Poseidon hash in Python: two inputs (docs/zk.md, "Commitment"), and 3 to 5 inputs
for the rollup's state and transactions (docs/rollup.md).

The reference algorithm of the Poseidon paper (Grassi et al., eprint 2019/458) with circomlib's
parameters for state width 3 over the BN254 scalar field: S-box x^5, 8 full rounds (4 before and
4 after) around 57 partial rounds, each round adding its constants, applying the S-box (to every
word in a full round, to word 0 in a partial round) and multiplying by the MDS matrix. The
initial state is ``[0, left, right]`` and the hash is word 0 of the final state.

circomlib's circuit (``poseidon.circom``) computes the same function with an optimised but
equivalent schedule; tests/zk checks this module against the circuit's witness and against
circomlib's published test vector ``Poseidon(1, 2)``.
"""

from __future__ import annotations

from .field import SCALAR_FIELD_ORDER, require_field_element
from . import poseidon_wide_constants as wide
from .poseidon_constants import FULL_ROUNDS, MDS_MATRIX, PARTIAL_ROUNDS, ROUND_CONSTANTS

#: The numbers of inputs :func:`poseidon` supports.
SUPPORTED_INPUT_COUNTS = (2, *(width - 1 for width in sorted(wide.PARTIAL_ROUNDS)))


def _sbox(value: int) -> int:
    return pow(value, 5, SCALAR_FIELD_ORDER)


def _permute(
    state: list[int], full_rounds: int, partial_rounds: int, round_constants: tuple[int, ...], matrix: tuple
) -> list[int]:
    width = len(state)
    half_full = full_rounds // 2
    for round_index in range(full_rounds + partial_rounds):
        constants = round_constants[width * round_index : width * (round_index + 1)]
        state = [(word + constant) % SCALAR_FIELD_ORDER for word, constant in zip(state, constants)]
        if round_index < half_full or round_index >= half_full + partial_rounds:
            state = [_sbox(word) for word in state]
        else:
            state[0] = _sbox(state[0])
        state = [sum(entry * word for entry, word in zip(row, state)) % SCALAR_FIELD_ORDER for row in matrix]
    return state


def poseidon2(left: int, right: int) -> int:
    """``Poseidon([left, right])`` of circomlib (``Poseidon(2)``).

    Both inputs must be scalar field elements (integers in ``[0, r)``); raises
    :class:`~proofmarket.zk.field.FieldElementInvalid` otherwise, rather than reduce silently.
    """
    state = [0, require_field_element("left", left), require_field_element("right", right)]
    return _permute(state, FULL_ROUNDS, PARTIAL_ROUNDS, ROUND_CONSTANTS, MDS_MATRIX)[0]


def poseidon(inputs: list[int] | tuple[int, ...]) -> int:
    """``Poseidon(inputs)`` of circomlib (``Poseidon(len(inputs))``) for 2 to 5 inputs.

    Every input must be a scalar field element; raises
    :class:`~proofmarket.zk.field.FieldElementInvalid` otherwise, and ``ValueError`` for an
    unsupported number of inputs.
    """
    count = len(inputs)
    if count not in SUPPORTED_INPUT_COUNTS:
        raise ValueError(f"Poseidon of {count} inputs is not supported (supported: {SUPPORTED_INPUT_COUNTS})")
    values = [require_field_element(f"input {index}", value) for index, value in enumerate(inputs)]
    if count == 2:
        return poseidon2(values[0], values[1])
    width = count + 1
    return _permute(
        [0, *values], wide.FULL_ROUNDS, wide.PARTIAL_ROUNDS[width], wide.ROUND_CONSTANTS[width], wide.MDS_MATRIX[width]
    )[0]
