// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice An EIP-2098 compact secp256k1 signature: `r`, and `s` with the recovery bit `v - 27`
///         in its top bit. 64 bytes instead of 65, and two static words in calldata.
struct CompactSignature {
    bytes32 r;
    bytes32 vs;
}
