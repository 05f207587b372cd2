// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bid} from "./Bid.sol";
import {CompactSignature} from "./CompactSignature.sol";

/// @notice A bid the clearinghouse includes in a settlement: the signed bid and what it charges.
/// @dev Calldata only; nothing of it is stored per bid (see ProofMarket's NOTE on reuse).
struct IncludedBid {
    /// The bid exactly as the user signed it.
    Bid bid;
    /// The user's signature over the bid's EIP-712 digest.
    CompactSignature signature;
    /// What the user is charged, in wei: at most `bid.maxFee`, at least the reserve.
    uint128 charge;
}
