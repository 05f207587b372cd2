"""Generated files, and the generators that write them (docs/zk.md, "Generated files").

- ``contracts/verifiers/ChunkVerifyingKey.sol``: the Groth16 verifying key as Solidity constants,
  from snarkjs's ``verification_key.json`` (run by ``proofmarket zk setup``).
- ``offchain/proofmarket/zk/poseidon_constants.py`` and ``contracts/libraries/PoseidonConstants.sol``:
  circomlib's Poseidon constants for two inputs, from
  ``circomlib/circuits/poseidon_constants_old.circom``, for Python and for the contract that recomputes a
  chunk commitment on-chain in a dispute (run once, by hand, when circomlib changes:
  ``python -m proofmarket.zk.codegen poseidon``), and ``poseidon_wide_constants.py``: the
  constants for 3, 4 and 5 inputs the rollup's state and transactions use (docs/rollup.md).
- ``contracts/rollup/PoseidonWideConstants.sol``: the constants for 3 and 4 inputs (state widths 4
  and 5) for the rollup contract's on-chain Poseidon (``PoseidonHasher``), written by
  ``python -m proofmarket.zk.codegen poseidon-wide``.

Both are deterministic functions of their input, so a test regenerates each and compares it with
the committed file.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from proofmarket.exceptions import ZkError

from .field import BASE_FIELD_ORDER, SCALAR_FIELD_ORDER

if TYPE_CHECKING:
    from .circuit import CircuitSpec

#: The public inputs of the segment circuit, in the circuit's (and the IC points') order.
PUBLIC_INPUT_NAMES = ("previousCommitment", "nextCommitment", "prover")


class VerifyingKeyInvalid(ZkError):
    """snarkjs's verification key is not a BN254 Groth16 key of the expected circuit."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"verification key {source} cannot be used: {reason}")


class PoseidonSourceInvalid(ZkError):
    """circomlib's Poseidon constants file does not have the expected shape."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"Poseidon constants in {source} cannot be read: {reason}")


# --------------------------------------------------------------------------- verifying key


@dataclass(frozen=True)
class G1Point:
    x: int
    y: int


@dataclass(frozen=True)
class G2Point:
    """A G2 point; ``x = x_real + x_imag·u`` over Fp2 = Fp[u]/(u² + 1), likewise ``y``."""

    x_real: int
    x_imag: int
    y_real: int
    y_imag: int


@dataclass(frozen=True)
class VerifyingKey:
    """A Groth16 verifying key: ``e(A,B) = e(alpha,beta)·e(vk_x,gamma)·e(C,delta)``."""

    alpha: G1Point
    beta: G2Point
    gamma: G2Point
    delta: G2Point
    ic: tuple[G1Point, ...]


def _coordinate(source: str, name: str, value: object) -> int:
    try:
        number = int(str(value), 10)
    except ValueError:
        raise VerifyingKeyInvalid(source, f"{name} is not a decimal integer: {value!r}") from None
    if not 0 <= number < BASE_FIELD_ORDER:
        raise VerifyingKeyInvalid(source, f"{name} = {number} is not below the base field order p")
    return number


def _g1(source: str, name: str, value: object) -> G1Point:
    if not isinstance(value, list) or len(value) != 3 or str(value[2]) != "1":
        raise VerifyingKeyInvalid(source, f"{name} is not an affine G1 point [x, y, 1]: {value!r}")
    point = G1Point(_coordinate(source, f"{name}.x", value[0]), _coordinate(source, f"{name}.y", value[1]))
    if (point.y * point.y - point.x**3 - 3) % BASE_FIELD_ORDER != 0:
        raise VerifyingKeyInvalid(source, f"{name} is not on the curve y^2 = x^3 + 3")
    return point


def _g2(source: str, name: str, value: object) -> G2Point:
    if (
        not isinstance(value, list)
        or len(value) != 3
        or any(not isinstance(part, list) or len(part) != 2 for part in value)
        or [str(part) for part in value[2]] != ["1", "0"]
    ):
        raise VerifyingKeyInvalid(source, f"{name} is not an affine G2 point [[x0, x1], [y0, y1], [1, 0]]: {value!r}")
    return G2Point(
        x_real=_coordinate(source, f"{name}.x0", value[0][0]),
        x_imag=_coordinate(source, f"{name}.x1", value[0][1]),
        y_real=_coordinate(source, f"{name}.y0", value[1][0]),
        y_imag=_coordinate(source, f"{name}.y1", value[1][1]),
    )


def parse_verifying_key(
    document: dict, source: str = "verification_key.json", public_inputs: tuple[str, ...] = PUBLIC_INPUT_NAMES
) -> VerifyingKey:
    """The key in snarkjs's ``zkey export verificationkey`` JSON, checked for a circuit with
    ``public_inputs`` (default: the segment circuit's).

    Raises :class:`VerifyingKeyInvalid` unless it is a BN254 Groth16 key with
    ``len(public_inputs)`` public inputs and affine points with coordinates below p.
    """
    if document.get("protocol") != "groth16" or document.get("curve") != "bn128":
        raise VerifyingKeyInvalid(source, f"protocol/curve is {document.get('protocol')}/{document.get('curve')}, not groth16/bn128")
    if document.get("nPublic") != len(public_inputs):
        raise VerifyingKeyInvalid(source, f"nPublic is {document.get('nPublic')}, the circuit has {len(public_inputs)}")
    ic = document.get("IC")
    if not isinstance(ic, list) or len(ic) != len(public_inputs) + 1:
        raise VerifyingKeyInvalid(source, f"IC must hold {len(public_inputs) + 1} points")
    return VerifyingKey(
        alpha=_g1(source, "vk_alpha_1", document.get("vk_alpha_1")),
        beta=_g2(source, "vk_beta_2", document.get("vk_beta_2")),
        gamma=_g2(source, "vk_gamma_2", document.get("vk_gamma_2")),
        delta=_g2(source, "vk_delta_2", document.get("vk_delta_2")),
        ic=tuple(_g1(source, f"IC[{index}]", point) for index, point in enumerate(ic)),
    )


def _hex(value: int) -> str:
    return f"0x{value:064x}"


def render_verifying_key_solidity(
    verification_key_json: bytes,
    source_label: str,
    circuit: CircuitSpec | None = None,
) -> str:
    """The Solidity source of a generated verifying key (``VK_*`` constants) for a key file's bytes.

    ``source_label`` is the key file's path as written in the header; ``circuit`` the circuit the
    key is for (default: the segment circuit, ``ChunkVerifyingKey.sol``). The header records the
    SHA-256 of the exact bytes, so the committed pair can be checked against each other.
    """
    from .circuit import SEGMENT_CIRCUIT

    circuit = circuit or SEGMENT_CIRCUIT
    names = circuit.public_inputs
    key = parse_verifying_key(json.loads(verification_key_json), source_label, names)
    digest = hashlib.sha256(verification_key_json).hexdigest()
    lines = [
        "// SPDX-License-Identifier: MIT",
        f"// GENERATED FILE, DO NOT EDIT: written by `{circuit.setup_command}` (proofmarket.zk.codegen)",
        f"// from {source_label}",
        f"// (sha256 {digest}).",
        "//",
        "// DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION. The key comes from a deterministic, public",
        "// powers-of-tau and Groth16 setup (docs/zk.md): anyone can rebuild its toxic waste and forge",
        "// proofs. A production deployment needs a key from a real multi-party ceremony.",
        "pragma solidity 0.8.28;",
        "",
        f"// The Groth16 verifying key of {circuit.description} (circuits/{circuit.name}.circom) as",
        "// file-level constants, so the verifier's assembly can read them. The check is",
        "// e(A, B) = e(ALPHA, BETA) * e(IC0 + sum_i x_i * IC(i+1), GAMMA) * e(C, DELTA) with public",
        f"// inputs x = ({', '.join(names)}). A G2 coordinate is",
        "// X_REAL + X_IMAG * u in Fp2 = Fp[u] / (u^2 + 1); the EIP-197 precompile reads X_IMAG first.",
        "",
        "/// @dev SHA-256 of the verification_key.json this file was generated from.",
        f"bytes32 constant VK_SOURCE_SHA256 = 0x{digest};",
        "",
        f"/// @dev Number of public inputs: {', '.join(names)}.",
        f"uint256 constant VK_PUBLIC_INPUTS = {len(names)};",
        "",
        f"uint256 constant VK_ALPHA_X = {_hex(key.alpha.x)};",
        f"uint256 constant VK_ALPHA_Y = {_hex(key.alpha.y)};",
    ]
    for name, point in (("BETA", key.beta), ("GAMMA", key.gamma), ("DELTA", key.delta)):
        lines += [
            "",
            f"uint256 constant VK_{name}_X_IMAG = {_hex(point.x_imag)};",
            f"uint256 constant VK_{name}_X_REAL = {_hex(point.x_real)};",
            f"uint256 constant VK_{name}_Y_IMAG = {_hex(point.y_imag)};",
            f"uint256 constant VK_{name}_Y_REAL = {_hex(point.y_real)};",
        ]
    for index, point in enumerate(key.ic):
        what = "constant term" if index == 0 else f"coefficient of {names[index - 1]}"
        lines += [
            "",
            f"/// @dev IC{index}: {what}.",
            f"uint256 constant VK_IC{index}_X = {_hex(point.x)};",
            f"uint256 constant VK_IC{index}_Y = {_hex(point.y)};",
        ]
    lines += [""]
    return "\n".join(lines)


def write_verifying_key_solidity(
    verification_key_path: Path, solidity_path: Path, source_label: str, circuit: CircuitSpec | None = None
) -> None:
    """Render the Solidity key of ``circuit`` for ``verification_key_path`` into ``solidity_path``."""
    solidity_path.parent.mkdir(parents=True, exist_ok=True)
    solidity_path.write_text(render_verifying_key_solidity(verification_key_path.read_bytes(), source_label, circuit))


# --------------------------------------------------------------------------- Poseidon constants

#: Poseidon with two inputs: state width t = 3, 8 full rounds, 57 partial rounds (circomlib).
POSEIDON_WIDTH = 3
POSEIDON_FULL_ROUNDS = 8
POSEIDON_PARTIAL_ROUNDS = 57


def _branch_integers(text: str, function: str, width: int, source: str) -> list[int]:
    """The integers returned by ``function(t)``'s branch for ``t == width`` in circomlib's file."""
    start = text.find(f"function {function}(t)")
    if start < 0:
        raise PoseidonSourceInvalid(source, f"no function {function}(t)")
    end = text.find("function ", start + 1)
    body = text[start : end if end >= 0 else len(text)]
    branch = re.search(rf"\bt\s*==\s*{width}\s*\)", body)
    if branch is None:
        raise PoseidonSourceInvalid(source, f"{function} has no branch for t == {width}")
    returned = body.find("return", branch.end())
    closing = body.find(";", returned)
    if returned < 0 or closing < 0:
        raise PoseidonSourceInvalid(source, f"{function}'s branch for t == {width} returns nothing")
    literals = re.findall(r"0x[0-9a-fA-F]+|\d+", body[returned + len("return") : closing])
    return [int(literal, 0) for literal in literals]


#: circomlib's partial rounds by state width t (``N_ROUNDS_P[t - 2]`` of poseidon.circom), for
#: the widths the rollup uses besides t = 3: Poseidon of 3, 4 and 5 inputs (docs/rollup.md).
POSEIDON_WIDE_PARTIAL_ROUNDS = {4: 56, 5: 60, 6: 60}


def parse_poseidon_constants(
    text: str, source: str, width: int = POSEIDON_WIDTH, partial_rounds: int = POSEIDON_PARTIAL_ROUNDS
) -> tuple[list[int], list[list[int]]]:
    """Round constants and MDS matrix for state width ``width`` (default t = 3) from
    ``poseidon_constants_old.circom``'s text.

    That file holds the reference (unoptimised) constants, the ones the Poseidon paper's
    algorithm uses directly. Raises :class:`PoseidonSourceInvalid` on any unexpected shape.
    """
    rounds = POSEIDON_FULL_ROUNDS + partial_rounds
    round_constants = _branch_integers(text, "POSEIDON_C", width, source)
    if len(round_constants) != width * rounds:
        raise PoseidonSourceInvalid(source, f"{len(round_constants)} round constants, expected {width * rounds}")
    flat_matrix = _branch_integers(text, "POSEIDON_M", width, source)
    if len(flat_matrix) != width**2:
        raise PoseidonSourceInvalid(source, f"{len(flat_matrix)} MDS entries, expected {width ** 2}")
    if any(value >= SCALAR_FIELD_ORDER for value in round_constants + flat_matrix):
        raise PoseidonSourceInvalid(source, "a constant is not below the scalar field order r")
    matrix = [flat_matrix[row * width : (row + 1) * width] for row in range(width)]
    return round_constants, matrix


def render_poseidon_wide_constants_module(text: str, source_label: str) -> str:
    """The Python source of ``poseidon_wide_constants.py``: circomlib's constants for the state
    widths of :data:`POSEIDON_WIDE_PARTIAL_ROUNDS` (Poseidon of 3, 4 and 5 inputs)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    lines = [
        '"""circomlib\'s Poseidon constants for 3, 4 and 5 inputs (state widths 4, 5, 6). GENERATED, DO NOT EDIT.',
        "",
        "Written by ``python -m proofmarket.zk.codegen poseidon`` from",
        f"{source_label}",
        f"(sha256 {digest}):",
        "the reference constants of the Poseidon paper's Grain LFSR for the BN254 scalar field,",
        f"alpha = 5, {POSEIDON_FULL_ROUNDS} full rounds and circomlib's partial rounds per width.",
        "The constants of two inputs (width 3) are in ``poseidon_constants.py``.",
        '"""',
        "",
        f"SOURCE_SHA256 = {digest!r}",
        f"FULL_ROUNDS = {POSEIDON_FULL_ROUNDS}",
        "",
        "#: PARTIAL_ROUNDS[width]: circomlib's N_ROUNDS_P[width - 2].",
        "PARTIAL_ROUNDS = {" + ", ".join(f"{width}: {rounds}" for width, rounds in POSEIDON_WIDE_PARTIAL_ROUNDS.items()) + "}",
        "",
        "#: ROUND_CONSTANTS[width][width * round + i] is added to state word i at the start of each round.",
        "ROUND_CONSTANTS = {",
    ]
    matrices = []
    for width, partial_rounds in POSEIDON_WIDE_PARTIAL_ROUNDS.items():
        round_constants, matrix = parse_poseidon_constants(text, source_label, width, partial_rounds)
        matrices.append((width, matrix))
        lines += [f"    {width}: (", *(f"        {value:#066x}," for value in round_constants), "    ),"]
    lines += [
        "}",
        "",
        "#: MDS_MATRIX[width]: the new state word i is the sum over j of MDS_MATRIX[width][i][j] * state[j].",
        "MDS_MATRIX = {",
    ]
    for width, matrix in matrices:
        lines += [f"    {width}: (", *("        (" + ", ".join(f"{value:#066x}" for value in row) + ")," for row in matrix), "    ),"]
    lines += ["}", ""]
    return "\n".join(lines)


def render_poseidon_constants_module(text: str, source_label: str) -> str:
    """The Python source of ``poseidon_constants.py`` for circomlib's constants file text."""
    round_constants, matrix = parse_poseidon_constants(text, source_label)
    digest = hashlib.sha256(text.encode()).hexdigest()
    lines = [
        '"""circomlib\'s Poseidon constants for two inputs (state width 3). GENERATED, DO NOT EDIT.',
        "",
        "Written by ``python -m proofmarket.zk.codegen poseidon`` from",
        f"{source_label}",
        f"(sha256 {digest}):",
        "the reference constants of the Poseidon paper's Grain LFSR for the BN254 scalar field,",
        "alpha = 5, 8 full and 57 partial rounds.",
        '"""',
        "",
        f"SOURCE_SHA256 = {digest!r}",
        f"WIDTH = {POSEIDON_WIDTH}",
        f"FULL_ROUNDS = {POSEIDON_FULL_ROUNDS}",
        f"PARTIAL_ROUNDS = {POSEIDON_PARTIAL_ROUNDS}",
        "",
        "#: ROUND_CONSTANTS[WIDTH * round + i] is added to state word i at the start of each round.",
        "ROUND_CONSTANTS = (",
        *(f"    {value:#066x}," for value in round_constants),
        ")",
        "",
        "#: The MDS matrix: the new state word i is the sum over j of MDS_MATRIX[i][j] * state[j].",
        "MDS_MATRIX = (",
        *("    (" + ", ".join(f"{value:#066x}" for value in row) + ")," for row in matrix),
        ")",
        "",
    ]
    return "\n".join(lines)


def render_poseidon_constants_solidity(text: str, source_label: str) -> str:
    """The Solidity source of ``PoseidonConstants.sol`` for circomlib's constants file text.

    The round constants are one ``bytes`` constant (195 big-endian words, read into memory with one
    copy per call); the MDS matrix is nine ``uint256`` constants that inline assembly can read.
    """
    round_constants, matrix = parse_poseidon_constants(text, source_label)
    digest = hashlib.sha256(text.encode()).hexdigest()
    lines = [
        "// SPDX-License-Identifier: MIT",
        "// GENERATED FILE, DO NOT EDIT: written by `python -m proofmarket.zk.codegen poseidon`",
        f"// from {source_label}",
        f"// (sha256 {digest}).",
        "pragma solidity 0.8.28;",
        "",
        "// circomlib's Poseidon constants for two inputs (state width 3) over the BN254 scalar field:",
        "// the reference constants of the Poseidon paper's Grain LFSR, alpha = 5, 8 full and 57 partial",
        "// rounds. The same numbers as offchain/proofmarket/zk/poseidon_constants.py.",
        "",
        "/// @dev Full rounds (half before and half after the partial rounds).",
        f"uint256 constant POSEIDON_FULL_ROUNDS = {POSEIDON_FULL_ROUNDS};",
        "/// @dev Partial rounds (the S-box on word 0 only).",
        f"uint256 constant POSEIDON_PARTIAL_ROUNDS = {POSEIDON_PARTIAL_ROUNDS};",
        "",
        "/// @dev Word 3*round + i (32 bytes, big-endian) is added to state word i at the start of",
        "///      each round.",
        *_solidity_bytes_constant("POSEIDON_ROUND_CONSTANTS", round_constants),
        "",
        "/// @dev The MDS matrix: new word i = sum over j of POSEIDON_M{i}{j} * word j.",
        *_solidity_matrix_constants("POSEIDON_M", matrix),
        "",
    ]
    return "\n".join(lines)


def _solidity_bytes_constant(name: str, values: list[int]) -> list[str]:
    """Lines of a Solidity ``bytes constant`` holding ``values`` as 32-byte big-endian words."""
    words = [f"{value:064x}" for value in values]
    return [f"bytes constant {name} =", *(f'    hex"{word}"' for word in words[:-1]), f'    hex"{words[-1]}";']


def _solidity_matrix_constants(prefix: str, matrix: list[list[int]]) -> list[str]:
    """One ``uint256 constant {prefix}{i}{j}`` line per matrix entry (inline assembly reads them)."""
    return [
        f"uint256 constant {prefix}{row_index}{column_index} = {value:#066x};"
        for row_index, row in enumerate(matrix)
        for column_index, value in enumerate(row)
    ]


#: The state widths whose constants ``PoseidonWideConstants.sol`` holds: Poseidon of 3 inputs
#: (account leaves, the deposit chain, the state root) and of 4 (transfer hashes).
POSEIDON_WIDE_SOLIDITY_WIDTHS = (4, 5)


def render_poseidon_wide_constants_solidity(text: str, source_label: str) -> str:
    """The Solidity source of ``PoseidonWideConstants.sol``: circomlib's constants for the state
    widths of :data:`POSEIDON_WIDE_SOLIDITY_WIDTHS`, as ``POSEIDON_T{width}_*`` constants (the
    same layout as ``PoseidonConstants.sol``: one ``bytes`` constant of round constants, the MDS
    matrix as ``uint256`` constants)."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    lines = [
        "// SPDX-License-Identifier: MIT",
        "// GENERATED FILE, DO NOT EDIT: written by `python -m proofmarket.zk.codegen poseidon-wide`",
        f"// from {source_label}",
        f"// (sha256 {digest}).",
        "pragma solidity 0.8.28;",
        "",
        "// circomlib's Poseidon constants for 3 and 4 inputs (state widths 4 and 5) over the BN254",
        "// scalar field: the reference constants of the Poseidon paper's Grain LFSR, alpha = 5,",
        f"// {POSEIDON_FULL_ROUNDS} full rounds and circomlib's partial rounds per width. The same numbers as",
        "// offchain/proofmarket/zk/poseidon_wide_constants.py; two inputs: libraries/PoseidonConstants.sol.",
        "",
        "/// @dev Full rounds of every width (half before and half after the partial rounds).",
        f"uint256 constant POSEIDON_WIDE_FULL_ROUNDS = {POSEIDON_FULL_ROUNDS};",
    ]
    for width in POSEIDON_WIDE_SOLIDITY_WIDTHS:
        partial_rounds = POSEIDON_WIDE_PARTIAL_ROUNDS[width]
        round_constants, matrix = parse_poseidon_constants(text, source_label, width, partial_rounds)
        prefix = f"POSEIDON_T{width}"
        lines += [
            "",
            f"// ---- state width {width}: Poseidon of {width - 1} inputs",
            "",
            "/// @dev Partial rounds (the S-box on word 0 only).",
            f"uint256 constant {prefix}_PARTIAL_ROUNDS = {partial_rounds};",
            "",
            f"/// @dev Word {width}*round + i (32 bytes, big-endian) is added to state word i at the start of",
            "///      each round.",
            *_solidity_bytes_constant(f"{prefix}_ROUND_CONSTANTS", round_constants),
            "",
            f"/// @dev The MDS matrix: new word i = sum over j of {prefix}_M{{i}}{{j}} * word j.",
            *_solidity_matrix_constants(f"{prefix}_M", matrix),
        ]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``python -m proofmarket.zk.codegen poseidon``: regenerate ``poseidon_constants.py``,
    ``PoseidonConstants.sol`` and ``poseidon_wide_constants.py``;
    ``python -m proofmarket.zk.codegen poseidon-wide``: regenerate ``PoseidonWideConstants.sol``."""
    from .circuit import (
        CIRCOMLIB_POSEIDON_CONSTANTS,
        POSEIDON_CONSTANTS_MODULE,
        POSEIDON_CONSTANTS_SOLIDITY,
        POSEIDON_WIDE_CONSTANTS_MODULE,
        POSEIDON_WIDE_CONSTANTS_SOLIDITY,
        repository_relative,
    )
    from .toolchain import node_modules_directory

    renderers = {
        "poseidon": (
            (POSEIDON_CONSTANTS_MODULE, render_poseidon_constants_module),
            (POSEIDON_CONSTANTS_SOLIDITY, render_poseidon_constants_solidity),
            (POSEIDON_WIDE_CONSTANTS_MODULE, render_poseidon_wide_constants_module),
        ),
        "poseidon-wide": ((POSEIDON_WIDE_CONSTANTS_SOLIDITY, render_poseidon_wide_constants_solidity),),
    }
    if len(argv) != 1 or argv[0] not in renderers:
        print(f"usage: python -m proofmarket.zk.codegen {{{'|'.join(renderers)}}}", file=sys.stderr)
        return 2
    text = (node_modules_directory() / CIRCOMLIB_POSEIDON_CONSTANTS).read_text()
    label = f"node_modules/{CIRCOMLIB_POSEIDON_CONSTANTS}"
    for path, render in renderers[argv[0]]:
        path.write_text(render(text, label))
        print(f"wrote {repository_relative(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
