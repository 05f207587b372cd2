"""circomlib's Poseidon hash with two inputs, in Python (docs/zk.md, "Commitment").

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
from .poseidon_constants import FULL_ROUNDS, MDS_MATRIX, PARTIAL_ROUNDS, ROUND_CONSTANTS, WIDTH


def _sbox(value: int) -> int:
    return pow(value, 5, SCALAR_FIELD_ORDER)


def poseidon2(left: int, right: int) -> int:
    """``Poseidon([left, right])`` of circomlib (``Poseidon(2)``).

    Both inputs must be scalar field elements (integers in ``[0, r)``); raises
    :class:`~proofmarket.zk.field.FieldElementInvalid` otherwise, rather than reduce silently.
    """
    state = [0, require_field_element("left", left), require_field_element("right", right)]
    half_full = FULL_ROUNDS // 2
    for round_index in range(FULL_ROUNDS + PARTIAL_ROUNDS):
        constants = ROUND_CONSTANTS[WIDTH * round_index : WIDTH * (round_index + 1)]
        state = [(word + constant) % SCALAR_FIELD_ORDER for word, constant in zip(state, constants)]
        if round_index < half_full or round_index >= half_full + PARTIAL_ROUNDS:
            state = [_sbox(word) for word in state]
        else:
            state[0] = _sbox(state[0])
        state = [sum(entry * word for entry, word in zip(row, state)) % SCALAR_FIELD_ORDER for row in MDS_MATRIX]
    return state[0]
