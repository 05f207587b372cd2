// SPDX-License-Identifier: MIT
// GENERATED FILE, DO NOT EDIT: written by `proofmarket zk setup` (proofmarket.zk.codegen)
// from offchain/proofmarket/zk/artifacts/verification_key.json
// (sha256 f9ee798e44e4cb0076fb23f77614f734f8dd1f6e1913184bf7f20c8545167f27).
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
bytes32 constant VK_SOURCE_SHA256 = 0xf9ee798e44e4cb0076fb23f77614f734f8dd1f6e1913184bf7f20c8545167f27;

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
uint256 constant VK_IC0_X = 0x02beb284676262d6af45d48f690ce9c35326c51e08b5a3a0e03b598096a7692e;
uint256 constant VK_IC0_Y = 0x29569da7b81205d7aabc721c4e3c3d10dd37939332abe7c28d067f53aae96b1b;

/// @dev IC1: coefficient of previousCommitment.
uint256 constant VK_IC1_X = 0x16afaec822f9e776630713edf2e9bc6b8be4383784a103eb621f71cd2a1ee865;
uint256 constant VK_IC1_Y = 0x1dd08e4b85731f8625ec29ac5d1f7b9f6b304c35b0468bee57245bf68d48ef48;

/// @dev IC2: coefficient of nextCommitment.
uint256 constant VK_IC2_X = 0x03d86b24f4418c387106b1e9cf05d14f969d35932832b1bd34881738b28c1877;
uint256 constant VK_IC2_Y = 0x2abeda118fa79af6633219a78ec836e925dad0c192d6a8db580f42f41cf51a01;

/// @dev IC3: coefficient of prover.
uint256 constant VK_IC3_X = 0x18f8eacd5a8f0cb5f33822201a9277b1582181e12853be5deb4169ce08db3430;
uint256 constant VK_IC3_Y = 0x0d01a004366a9bc17e27a5337f41ce8120cc8f7acf811d4547ac2a8448737c2d;
