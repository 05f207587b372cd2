"""The package's exception tree: one root, one class per subsystem, leaves beside their code.

Every leaf error keeps the values that broke the rule as attributes and says which rule broke
in its message, so the CLI can print one line and the API can map it to a status code.
"""


class ProofMarketError(Exception):
    """Root of every error this package raises on purpose."""


class UserInputError(ProofMarketError):
    """Bad input from a person or a client: the CLI exits 2, the API answers 4xx."""


class MechanismError(ProofMarketError):
    """A rule of the mechanism (docs/mechanism.md) cannot be applied to the given inputs."""


class RoundFileError(UserInputError):
    """A round file (the canonical JSON of docs/mechanism.md) is malformed."""


class ChainError(ProofMarketError):
    """Talking to the chain failed: compile, deploy, a call, or a transaction."""


class ZkError(ProofMarketError):
    """Circuit build, trusted setup, witness generation or proving failed."""


class ClearinghouseError(ProofMarketError):
    """The clearinghouse could not take or carry out a step of a round."""
