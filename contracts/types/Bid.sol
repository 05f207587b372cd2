// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A user's bid, signed as EIP-712 typed data (README.md "One round", step 1).
/// @dev The field order and types are the EIP-712 type
///      `Bid(address user,bytes32 txHash,uint64 constraints,uint256 maxFee,uint64 round,uint64 nonce)`.
struct Bid {
    /// The user who pays, and who must have signed the bid.
    address user;
    /// The rollup transaction the bid pays for.
    bytes32 txHash;
    /// Constraints the transaction costs to prove (g_i >= 1).
    uint64 constraints;
    /// The most the user pays for inclusion, in wei (total, not per constraint).
    uint256 maxFee;
    /// The only round the bid may be settled in.
    uint64 round;
    /// Lets a user sign several distinct bids for the same transaction and round.
    uint64 nonce;
}

/// @title BidLib
/// @notice EIP-712 hashing of a {Bid}.
library BidLib {
    /// @notice keccak256 of the EIP-712 type string of {Bid}.
    bytes32 internal constant TYPEHASH = keccak256(
        "Bid(address user,bytes32 txHash,uint64 constraints,uint256 maxFee,uint64 round,uint64 nonce)"
    );

    /// @notice The EIP-712 `hashStruct` of `bid`.
    function hashStruct(Bid calldata bid) internal pure returns (bytes32 structHash) {
        structHash =
            keccak256(abi.encode(TYPEHASH, bid.user, bid.txHash, bid.constraints, bid.maxFee, bid.round, bid.nonce));
    }
}
