// SPDX-License-Identifier: MIT
// GENERATED FILE, DO NOT EDIT: written by `proofmarket rollup setup` (proofmarket.zk.codegen)
// from offchain/proofmarket/rollup/artifacts/verification_key.json
// (sha256 27f2e29c6942146670addb0842a89461046c6f334baa0d85c866e0fe22f69f2f).
//
// DEVELOPMENT CEREMONY -- NOT FOR PRODUCTION. The key comes from a deterministic, public
// powers-of-tau and Groth16 setup (docs/zk.md): anyone can rebuild its toxic waste and forge
// proofs. A production deployment needs a key from a real multi-party ceremony.
pragma solidity 0.8.28;

// The Groth16 verifying key of the rollup chunk circuit (circuits/rollup_chunk.circom) as
// file-level constants, so the verifier's assembly can read them. The check is
// e(A, B) = e(ALPHA, BETA) * e(IC0 + sum_i x_i * IC(i+1), GAMMA) * e(C, DELTA) with public
// inputs x = (preStateRoot, postStateRoot, commitment, binding). A G2 coordinate is
// X_REAL + X_IMAG * u in Fp2 = Fp[u] / (u^2 + 1); the EIP-197 precompile reads X_IMAG first.

/// @dev SHA-256 of the verification_key.json this file was generated from.
bytes32 constant VK_SOURCE_SHA256 = 0x27f2e29c6942146670addb0842a89461046c6f334baa0d85c866e0fe22f69f2f;

/// @dev Number of public inputs: preStateRoot, postStateRoot, commitment, binding.
uint256 constant VK_PUBLIC_INPUTS = 4;

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
uint256 constant VK_IC0_X = 0x21a09e2802155be7d546a5d26d2366e7166af42dfc80e394cb8b69296d745ae9;
uint256 constant VK_IC0_Y = 0x23782c1bf9cda33a958c277eb035c57504e857290172eca3daee0c4484cf66f2;

/// @dev IC1: coefficient of preStateRoot.
uint256 constant VK_IC1_X = 0x2a6bea43d0db4315e50165486feb6875cea2cb7f669e00b5f3232156f369af71;
uint256 constant VK_IC1_Y = 0x2e882290d55f5c1a04f78a43cf4b7694c5365d50729a854de5c9f10ceeeb1957;

/// @dev IC2: coefficient of postStateRoot.
uint256 constant VK_IC2_X = 0x25a62894727ec06fdc82ef361ad08e3d182aa9dc6ef0d67b1c5d98e6ba808465;
uint256 constant VK_IC2_Y = 0x199c957eb9d8b3e5a792e0689e4f55741a75883b7f7ddeb22d83a40cdc4877f7;

/// @dev IC3: coefficient of commitment.
uint256 constant VK_IC3_X = 0x22e06ecf3743881e8c477f369cd9fbf31416510f0cd2fa8f6df28d283dd457b8;
uint256 constant VK_IC3_Y = 0x1af542ca0dbbc78948b47d81efc74678968c81996d0393e3f0d3ba33a2a46389;

/// @dev IC4: coefficient of binding.
uint256 constant VK_IC4_X = 0x08e783015e0a5597f148e6b6133e24afac873d7e116b23fdb1b04ffb3ca9a6c9;
uint256 constant VK_IC4_Y = 0x02ffb63e560311aa88ec808fc58e360ec40db1a76950d3609c862392879a93ba;
