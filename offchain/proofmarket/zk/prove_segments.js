// Proves the segments of one chunk with snarkjs, in one node process (docs/zk.md, "Proving").
//
// Usage: node prove_segments.js <node_modules directory>
// Standard input: {"wasm": path, "zkey": path, "verificationKey": path or null,
//                  "segments": [circuit input, ...]}
// Standard output: {"segments": [{"proof": snarkjs proof, "publicSignals": [...],
//                   "witnessAndProofMilliseconds": n}, ...]}
// Exit code 1 with the error on standard error if a witness cannot be computed (the input does
// not satisfy the circuit), proving fails, or a proof does not verify against the key.
"use strict";

const fs = require("fs");
const path = require("path");

async function readStandardInput() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function main() {
    const nodeModules = process.argv[2];
    if (!nodeModules) throw new Error("usage: node prove_segments.js <node_modules directory>");
    const snarkjs = require(path.join(nodeModules, "snarkjs"));
    const request = await readStandardInput();
    const verificationKey = request.verificationKey
        ? JSON.parse(fs.readFileSync(request.verificationKey, "utf8"))
        : null;
    const results = [];
    for (const [index, input] of request.segments.entries()) {
        const started = process.hrtime.bigint();
        let proved;
        try {
            proved = await snarkjs.groth16.fullProve(input, request.wasm, request.zkey);
        } catch (error) {
            throw new Error(`segment ${index}: ${error && error.message ? error.message : error}`);
        }
        const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
        if (verificationKey && !(await snarkjs.groth16.verify(verificationKey, proved.publicSignals, proved.proof))) {
            throw new Error(`segment ${index}: the proof does not verify against ${request.verificationKey}`);
        }
        results.push({
            proof: proved.proof,
            publicSignals: proved.publicSignals,
            witnessAndProofMilliseconds: milliseconds,
        });
    }
    return { segments: results };
}

main().then(
    (output) => {
        // NOTE: snarkjs keeps worker threads alive; exit once the output is flushed.
        process.stdout.write(JSON.stringify(output), () => process.exit(0));
    },
    (error) => {
        process.stderr.write(`${error && error.message ? error.message : error}\n`, () => process.exit(1));
    },
);
