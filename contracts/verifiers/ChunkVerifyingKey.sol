// SPDX-License-Identifier: MIT
// GENERATED FILE, DO NOT EDIT: written by `proofmarket zk setup` (proofmarket.zk.codegen)
// from offchain/proofmarket/zk/artifacts/verification_key.json
// (sha256 828406e9b68dff8b668175a475bb2302dc5f8d4a6ae0545ffecb16a64372cf30).
//
// DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION. The key comes from a deterministic, public
// powers-of-tau and Groth16 setup (docs/zk.md): anyone can rebuild its toxic waste and forge
// proofs. A production deployment needs a key from a real multi-party ceremony.
pragma solidity 0.8.28;

// The Groth16 verifying key of the chunk segment circuit (circuits/chunk_segment.circom) as
// file-level constants, so the verifier's assembly can read them. The check is
// e(A, B) = e(ALPHA, BETA) * e(IC0 + sum_i x_i * IC(i+1), GAMMA) * e(C, DELTA) with public
// inputs x = (previousCommitment, nextCommitment, prover). A G2 coordinate is
// X_REAL + X_IMAG * u in Fp2 = Fp[u] / (u^2 + 1); the EIP-197 precompile reads X_IMAG first.

/// @dev SHA-256 of the verification_key.json this file was generated from.
bytes32 constant VK_SOURCE_SHA256 = 0x828406e9b68dff8b668175a475bb2302dc5f8d4a6ae0545ffecb16a64372cf30;

/// @dev Number of public inputs: previousCommitment, nextCommitment, prover.
uint256 constant VK_PUBLIC_INPUTS = 3;

uint256 constant VK_ALPHA_X = 0x05135f232dbdfa75b18585a5286fdc8afbe49d77538359ab29fb7a174291aa16;
uint256 constant VK_ALPHA_Y = 0x0e96186ae05dfb724ad5a45a1567b8e2eca6d7bbcdf23919d5e5a47891b01fc6;

uint256 constant VK_BETA_X_IMAG = 0x11f0066c0df158e3a18af23fc6cc090eb5c1e77f115dc35f33fc6026e8e50ef5;
uint256 constant VK_BETA_X_REAL = 0x1e0b3a273b9b968aab1c5beb0df359072a9f9de7590f75c008574fc2715448c2;
uint256 constant VK_BETA_Y_IMAG = 0x160d5b898c8dd80d0d382235dc76cb32bf7dd92b76bb4d4f1e89fe68249e92e4;
uint256 constant VK_BETA_Y_REAL = 0x01d6b1a4e601cbe8fae4d550e8f48830bf6319b5f1c1ee93e145b239a85b00e9;

uint256 constant VK_GAMMA_X_IMAG = 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2;
uint256 constant VK_GAMMA_X_REAL = 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed;
uint256 constant VK_GAMMA_Y_IMAG = 0x090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b;
uint256 constant VK_GAMMA_Y_REAL = 0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa;

uint256 constant VK_DELTA_X_IMAG = 0x17a8b53157f7d73526a31c22475e2269ef939d0417e47d51439d7cb6d714b592;
uint256 constant VK_DELTA_X_REAL = 0x19caa5efbb82ba2ecbd3280e090010c602c1a5e65eaf0c17279c87d062c9fd65;
uint256 constant VK_DELTA_Y_IMAG = 0x25f76c6f41bab014b3c0294654430ceffef55635b21ca28a170c672601150a46;
uint256 constant VK_DELTA_Y_REAL = 0x238c838a78c71b8bd9b21456de27e3679597c3ea6f90ea747dfc4afba40b0737;

/// @dev IC0: constant term.
uint256 constant VK_IC0_X = 0x008d6a259067964b81c40557aeca86de0c513638466f9221c7540f4be1bc3ae3;
uint256 constant VK_IC0_Y = 0x1f48057dd90de230a8d3e5652a11d1c246f496290fde7620f5fe41cc84d5c18d;

/// @dev IC1: coefficient of previousCommitment.
uint256 constant VK_IC1_X = 0x17156e9e76b63d1e18d496a886ae73a28b6905dbf195cfe37ed0d4d7b9b27fdb;
uint256 constant VK_IC1_Y = 0x0ab74e9013e11c11bb60918b284d9de7d9bec937fd89b446c8b1d393743cdda9;

/// @dev IC2: coefficient of nextCommitment.
uint256 constant VK_IC2_X = 0x1ba2fd1b0d6cceada115ed4f9e49d6339ad26dd5dbe8089537ee2f1d6256012f;
uint256 constant VK_IC2_Y = 0x1b6ca63d63a89ce0824122b5c8ed6048782a5627f69891e8f981f027dccf7649;

/// @dev IC3: coefficient of prover.
uint256 constant VK_IC3_X = 0x2d664f5467c7d5b791ed14a3b4cf07e59ace0bbd110539d0ea6058c5d94ecd08;
uint256 constant VK_IC3_Y = 0x01c47fd70023aa25859363f81c44db779ea42720bc76396d2c2479c956db4f3b;
