// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Bn254
/// @notice BN254 (alt_bn128) field and curve checks and the EVM precompiles of EIP-196 and
///         EIP-197, for Groth16 verifiers with one proof per call (contracts/rollup/).
/// @dev The same rules as Groth16ChunkVerifier's private checks (docs/zk.md, "The verifier"):
///      coordinates below p, G1 points on y^2 = x^3 + 3, G2 points on the twist y^2 = x^3 + b'
///      over Fp2 = Fp[u] / (u^2 + 1); the point at infinity is refused; the pairing precompile
///      checks G2 subgroup membership.
library Bn254 {
    /// @notice r, the scalar field order: public inputs are below it.
    uint256 internal constant SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice p, the base field order: point coordinates are below it.
    uint256 internal constant BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @dev The twist's curve constant b' = 3 / (9 + u) in Fp2, as (real, imaginary).
    uint256 private constant TWIST_B_REAL = 19485874751759354771024239261021720505790618469301721065564631296452457478373;
    uint256 private constant TWIST_B_IMAG = 266929791119991161246907387137283842545076965332900288569378510910307636690;

    uint256 private constant EC_ADD = 0x06;
    uint256 private constant EC_MUL = 0x07;
    uint256 private constant EC_PAIRING = 0x08;

    /// @notice y^2 = x^3 + 3 over Fp, for coordinates below p. False for (0, 0), the point at infinity.
    function isOnCurve(uint256 x, uint256 y) internal pure returns (bool) {
        return mulmod(y, y, BASE_FIELD) == addmod(mulmod(mulmod(x, x, BASE_FIELD), x, BASE_FIELD), 3, BASE_FIELD);
    }

    /// @notice y^2 = x^3 + b' over Fp2, for coordinates below p; (a + bu)(c + du) = (ac - bd) + (ad + bc)u.
    /// @dev p - z is in (0, p] for z < p and addmod reduces it, so each subtraction is one in Fp.
    function isOnTwist(uint256 xReal, uint256 xImag, uint256 yReal, uint256 yImag) internal pure returns (bool) {
        uint256 squareReal = addmod(mulmod(xReal, xReal, BASE_FIELD), BASE_FIELD - mulmod(xImag, xImag, BASE_FIELD), BASE_FIELD);
        uint256 squareImag = mulmod(addmod(xReal, xReal, BASE_FIELD), xImag, BASE_FIELD);
        uint256 cubeReal = addmod(mulmod(squareReal, xReal, BASE_FIELD), BASE_FIELD - mulmod(squareImag, xImag, BASE_FIELD), BASE_FIELD);
        uint256 cubeImag = addmod(mulmod(squareReal, xImag, BASE_FIELD), mulmod(squareImag, xReal, BASE_FIELD), BASE_FIELD);
        uint256 ySquareReal = addmod(mulmod(yReal, yReal, BASE_FIELD), BASE_FIELD - mulmod(yImag, yImag, BASE_FIELD), BASE_FIELD);
        uint256 ySquareImag = mulmod(addmod(yReal, yReal, BASE_FIELD), yImag, BASE_FIELD);
        return ySquareReal == addmod(cubeReal, TWIST_B_REAL, BASE_FIELD) && ySquareImag == addmod(cubeImag, TWIST_B_IMAG, BASE_FIELD);
    }

    /// @notice `sum + scalar * (x, y)`, with ecMul and ecAdd; a zero scalar costs no call.
    ///         `ok` is false if a precompile call failed (out of gas: the inputs are valid points).
    function mulAdd(uint256[2] memory sum, uint256 x, uint256 y, uint256 scalar)
        internal
        view
        returns (uint256[2] memory result, bool ok)
    {
        if (scalar == 0) return (sum, true);
        uint256[4] memory buffer;
        buffer[0] = x;
        buffer[1] = y;
        buffer[2] = scalar;
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_MUL, buffer, 0x60, add(buffer, 0x40), 0x40)
        }
        if (!ok) return (sum, false);
        buffer[0] = sum[0];
        buffer[1] = sum[1];
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_ADD, buffer, 0x80, result, 0x40)
        }
    }

    /// @notice The pairing check prod_i e(G1_i, G2_i) = 1 over `input`'s pairs (six words each:
    ///         x, y of the G1 point, then x_imag, x_real, y_imag, y_real of the G2 point).
    ///         `ok` is false if the precompile refused the input (a G2 point outside the subgroup).
    function pairing(uint256[] memory input) internal view returns (bool holds, bool ok) {
        uint256 length = input.length * 0x20;
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_PAIRING, add(input, 0x20), length, 0x00, 0x20)
            holds := and(ok, eq(mload(0x00), 1))
        }
    }
}
