// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CompactSignature} from "../types/CompactSignature.sol";

/// @title Signatures
/// @notice Recovers the signer of an EIP-2098 compact signature and flags malleable ones.
library Signatures {
    /// @notice Largest canonical `s`: half the secp256k1 group order (EIP-2).
    uint256 internal constant MAX_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @dev All bits of `vs` but the top one, which carries `v - 27`.
    uint256 private constant S_MASK = (1 << 255) - 1;

    /// @notice The address that signed `digest`, or zero if the signature does not recover.
    /// @return signer The recovered address; zero when ecrecover fails or `s` is not canonical.
    /// @return s The signature's `s`, for the caller's error message.
    /// @return canonical False if `s > MAX_S` (the malleable twin of a valid signature); then
    ///         ecrecover is not called and `signer` is zero.
    /// @dev NOTE: callers must treat a zero `signer` as a failure: ecrecover answers zero for an
    ///      invalid signature, and a struct naming `address(0)` as signer would otherwise match.
    function recover(bytes32 digest, CompactSignature calldata signature)
        internal
        pure
        returns (address signer, uint256 s, bool canonical)
    {
        uint256 vs = uint256(signature.vs);
        s = vs & S_MASK;
        canonical = s <= MAX_S;
        if (canonical) {
            // NOTE: `vs >> 255` is 0 or 1, so v is 27 or 28 and the cast cannot truncate.
            signer = ecrecover(digest, uint8((vs >> 255) + 27), signature.r, bytes32(s));
        }
    }
}
