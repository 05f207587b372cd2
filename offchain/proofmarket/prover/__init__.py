"""The prover agent: registers, posts an ask each round, proves its chunks, submits the proofs."""
