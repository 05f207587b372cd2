// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SurplusPolicy} from "./SurplusPolicy.sol";

/// @notice A settled round (four storage slots). All zero for a round not yet settled.
struct Round {
    /// Hash of the round's full input set (every bid and ask considered), published off-chain.
    bytes32 inputHash;
    /// Price per constraint as the exact fraction `priceNum / priceDen` (informational).
    uint128 priceNum;
    uint128 priceDen;
    /// R: Σ charges of the included bids, in wei.
    uint128 revenue;
    /// S: R - Σ payments, in wei.
    uint128 surplus;
    /// Block the round was settled in; zero if not settled.
    uint64 settledAt;
    /// Last block in which a chunk of this round may be proven.
    uint64 deadline;
    uint32 bidCount;
    uint32 chunkCount;
    /// The surplus policy in force at settlement (slash needs it to compute net charges).
    SurplusPolicy surplusPolicy;
}
