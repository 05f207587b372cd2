"""A throwaway PostgreSQL server for ``bench intake`` and the tests: the real server binaries, a
fresh cluster in a temporary directory, on a free loopback port, with one database per caller.

The binaries are the machine's (``initdb`` and ``postgres`` on ``PATH`` or in Debian's
``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so under root the
cluster belongs to ``nobody`` and the server runs as that user. Durability settings are off
(``fsync``, ``synchronous_commit``): the cluster is deleted after the tests.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from proofmarket.exceptions import ProofMarketError
from proofmarket.network import free_loopback_port

START_TIMEOUT_SECONDS = 30.0
#: Connections the server accepts: API processes and their pools (5 + 10 overflow each) add up.
MAX_CONNECTIONS = 300
SUPERUSER = "postgres"


class PostgresUnavailable(ProofMarketError):
    """No PostgreSQL server binaries on this machine, or the server did not start."""


def find_server_binaries() -> Path:
    """The directory holding ``initdb`` and ``postgres``: ``PATH`` first, then Debian's layout."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("postgres"):
        return Path(os.path.realpath(on_path)).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "postgres").exists():
            return Path(candidate)
    raise PostgresUnavailable("no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql")


@dataclass
class PostgresServer:
    """A running throwaway cluster; :meth:`stop` ends it and deletes its files."""

    directory: Path
    port: int
    process: subprocess.Popen

    @classmethod
    def start(cls) -> "PostgresServer":
        binaries = find_server_binaries()
        directory = Path(tempfile.mkdtemp(prefix="proofmarket-postgres-"))
        user = _unprivileged_user()
        if user is not None:
            os.chown(directory, user.pw_uid, user.pw_gid)
        data = directory / "data"
        as_user = {"user": user.pw_uid, "group": user.pw_gid} if user is not None else {}
        initdb = subprocess.run(
            [binaries / "initdb", "-D", data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--no-sync"],
            capture_output=True, text=True, cwd=directory, **as_user,
        )
        if initdb.returncode != 0:
            shutil.rmtree(directory, ignore_errors=True)
            raise PostgresUnavailable(f"initdb failed: {initdb.stderr.strip() or initdb.stdout.strip()}")
        port = free_loopback_port()
        with open(directory / "server.log", "wb") as log:  # the server keeps its own copy of the handle
            process = subprocess.Popen(
                [
                    binaries / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port), "-k", directory,
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", f"max_connections={MAX_CONNECTIONS}",
                ],
                stdout=log, stderr=subprocess.STDOUT, cwd=directory, **as_user,
            )
        server = cls(directory, port, process)
        server._wait_until_ready()
        return server

    def url(self, database: str = SUPERUSER) -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database ``name`` (letters, digits, underscores) and return its URL."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name {name!r}: letters, digits and underscores only")
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=SUPERUSER, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(2)  # SIGINT: PostgreSQL's fast shutdown
            try:
                self.process.wait(timeout=START_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _wait_until_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            if self.process.poll() is not None:
                log = (self.directory / "server.log").read_text(errors="replace")
                self.stop()
                raise PostgresUnavailable(f"postgres exited with {self.process.returncode}: {log.strip()[-500:]}")
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=SUPERUSER, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise PostgresUnavailable(f"postgres did not accept connections within {START_TIMEOUT_SECONDS:.0f} s")
                time.sleep(0.1)


def _unprivileged_user() -> pwd.struct_passwd | None:
    """``nobody`` when running as root (PostgreSQL will not), else None: run as ourselves."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam("nobody")
