// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AcceptingVerifier
/// @notice TEST ONLY. Answers `true` to every call, so to the market's `verifyChunkProof` too:
///         the verifier a dishonest market owner could install (`updateConfig`) to have forged
///         chunks proven on the market.
contract AcceptingVerifier {
    fallback(bytes calldata) external returns (bytes memory) {
        return abi.encode(true);
    }
}
