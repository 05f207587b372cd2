"""Compile the project's Solidity sources offline, once per source tree.

One compile path for the whole product: py-solc-x's ``compile_standard`` with the pinned solc
(a native binary, or solcjs behind ``tools/solc-shim.js``; see ``tools/install-solc.sh``). The
output is cached under the cache directory, keyed by a hash of every source and the settings,
so a second call with unchanged sources costs a file read.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from proofmarket.exceptions import ChainError

from .paths import EVM_VERSION, SOLC_VERSION, cache_directory, contracts_directory, solc_binary_directory

OPTIMIZER_RUNS = 200


class CompilationError(ChainError):
    """solc reported errors, or could not be run."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("Solidity compilation failed:\n" + "\n".join(messages))


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: its name, ABI and creation bytecode (hex, no 0x).

    ``link_references`` lists, for each library with public functions the bytecode calls, where
    its address goes: ``(library name, ((byte offset, byte length), ...))``. The bytecode holds
    placeholders there until :meth:`linked` fills them in (deployment does, see
    ``transactions.deploy_contract``).
    """

    name: str
    source_path: str
    abi: list[dict]
    bytecode: str
    deployed_bytecode: str
    link_references: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = ()

    @property
    def libraries(self) -> tuple[str, ...]:
        """The names of the libraries the creation bytecode must be linked with."""
        return tuple(name for name, _ in self.link_references)

    def linked(self, addresses: dict[str, str]) -> str:
        """The creation bytecode with each library's placeholder replaced by its address in
        ``addresses`` (by library name); raises :class:`ChainError` if one is missing."""
        code = self.bytecode
        for library, positions in self.link_references:
            if library not in addresses:
                raise ChainError(f"{self.name} needs the address of library {library}")
            address = addresses[library].lower().removeprefix("0x")
            for start, length in positions:
                code = code[: 2 * start] + address + code[2 * (start + length):]
        return code


def _sources(root: Path, prefix: str = "") -> dict[str, dict[str, str]]:
    """Every ``.sol`` file below ``root``, by source unit name: ``prefix`` + its path in ``root``."""
    files = sorted(path for path in root.rglob("*.sol") if path.is_file())
    return {prefix + path.relative_to(root).as_posix(): {"content": path.read_text()} for path in files}


def _standard_input(sources: dict[str, dict[str, str]]) -> dict:
    return {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "evmVersion": EVM_VERSION,
            "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
            "outputSelection": {
                "*": {"*": ["abi", "evm.bytecode.object", "evm.bytecode.linkReferences", "evm.deployedBytecode.object"]}
            },
        },
    }


def _run_solc(standard_input: dict, base_path: Path) -> dict:
    import os

    import solcx

    os.environ.setdefault("SOLCX_BINARY_PATH", str(solc_binary_directory()))
    try:
        return solcx.compile_standard(
            standard_input,
            base_path=str(base_path),
            allow_paths=[str(base_path)],
            solc_version=SOLC_VERSION,
        )
    except solcx.exceptions.SolcNotInstalled as error:
        raise CompilationError([f"solc {SOLC_VERSION} not found: run `make install` ({error})"]) from error
    except solcx.exceptions.SolcError as error:
        # The message alone: str(error) appends solc's whole standard-JSON output.
        raise CompilationError([getattr(error, "message", None) or str(error)]) from error


@lru_cache(maxsize=4)
def compile_contracts(root: Path | None = None, imports: tuple[tuple[str, Path], ...] = ()) -> dict[str, Artifact]:
    """Compile every ``.sol`` file below ``root`` (default: the project's ``contracts/``).

    ``imports`` maps import prefixes to directories: ``(("proofmarket/interfaces/", contracts /
    "interfaces"),)`` compiles that directory's files too, as ``proofmarket/interfaces/...``, so
    that ``import "proofmarket/interfaces/IChunkConsumer.sol"`` finds them (their own relative
    imports resolve under the same prefix).

    Returns the artifacts by contract name. Raises :class:`CompilationError` when solc reports an
    error or two contracts share a name (names are how the rest of the code finds them).
    """
    root = Path(root) if root is not None else contracts_directory()
    sources = _sources(root)
    for prefix, directory in imports:
        sources.update(_sources(Path(directory), prefix))
    standard_input = _standard_input(sources)
    key = hashlib.sha256(
        json.dumps([SOLC_VERSION, standard_input], sort_keys=True).encode()
    ).hexdigest()[:24]
    cache_file = cache_directory() / "solc" / f"{key}.json"
    if cache_file.exists():
        output = json.loads(cache_file.read_text())
    else:
        output = _run_solc(standard_input, root)
        errors = [e["formattedMessage"] for e in output.get("errors", []) if e["severity"] == "error"]
        if errors:
            raise CompilationError(errors)
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix(f".{os.getpid()}.tmp")  # two test passes may compile at once
        temporary.write_text(json.dumps(output))
        temporary.replace(cache_file)
    artifacts: dict[str, Artifact] = {}
    for source_path, contracts in output.get("contracts", {}).items():
        for name, compiled in contracts.items():
            if name in artifacts:
                raise CompilationError([f"two contracts named {name}: {artifacts[name].source_path} and {source_path}"])
            artifacts[name] = Artifact(
                name=name,
                source_path=source_path,
                abi=compiled["abi"],
                bytecode=compiled["evm"]["bytecode"]["object"],
                deployed_bytecode=compiled["evm"]["deployedBytecode"]["object"],
                link_references=_link_references(compiled["evm"]["bytecode"].get("linkReferences", {})),
            )
    return artifacts


def _link_references(references: dict) -> tuple[tuple[str, tuple[tuple[int, int], ...]], ...]:
    """solc's ``linkReferences`` ({source: {library: [{start, length}]}}) as sorted tuples."""
    return tuple(
        (library, tuple((position["start"], position["length"]) for position in positions))
        for source in sorted(references)
        for library, positions in sorted(references[source].items())
    )


def artifact(name: str, root: Path | None = None) -> Artifact:
    """The artifact of contract ``name``; raises :class:`ChainError` if there is none."""
    artifacts = compile_contracts(root)
    if name not in artifacts:
        raise ChainError(f"no contract named {name} in {root or contracts_directory()}")
    return artifacts[name]
