"""``proofmarket serve``: the clearinghouse's processes — the bid API, the round loop, or both.

- ``serve`` runs both in one process (the default, as before);
- ``serve --api-only [--workers N]`` runs only the bid API: stateless, any number of such
  processes (or uvicorn workers) share one database; it needs no key;
- ``serve --loop-only`` runs only the round loop.

The round loop runs in exactly one process per database: the one holding the round-loop lock
(``clearinghouse/loop_lock.py``). Without ``--standby`` a ``serve`` that finds the lock taken
exits with code 2, naming the holder; with ``--standby`` it waits and takes over the loop when the
holder dies. A leader whose lock is gone (its database session ended) stops acting at once:
with ``--standby`` it goes back to waiting, without it the process exits with code 1.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import threading
from pathlib import Path

import click

from proofmarket.cli.market import (
    _account,
    _connect,
    deployment_option,
    devnet_account_option,
    key_option,
    log_format_option,
    log_level_option,
    rpc_option,
)
from proofmarket.deployment import home_directory
from proofmarket.exceptions import UserInputError
from proofmarket.logs import configure as configure_logging, event

log = logging.getLogger("proofmarket.serve")

#: ``serve --api-only --workers N`` hands its settings to the uvicorn workers in this variable.
WORKER_SETTINGS_VARIABLE = "PROOFMARKET_SERVE_API_SETTINGS"
#: Testing only (tests/e2e/test_failover.py): a file naming one of the round loop's fault points
#: (``after_clear``, ``after_settle_signed``, ``after_settle_broadcast``, ``after_settled``); the
#: process kills itself with SIGKILL when it reaches the point named there.
KILL_FILE_VARIABLE = "PROOFMARKET_KILL_AT_FILE"

MECHANISMS = ["proofphi", "proofphi-v1", "trade-reduction", "pay-as-bid"]


def _kill_file_fault():
    """The fault hook of ``$PROOFMARKET_KILL_AT_FILE`` (none if it is not set)."""
    from proofmarket.clearinghouse.service import no_faults

    path = os.environ.get(KILL_FILE_VARIABLE)
    if not path:
        return no_faults

    def fault(point: str) -> None:
        try:
            named = Path(path).read_text().strip()
        except OSError:
            return
        if named == point:
            log.warning("killed at %s (%s)", point, KILL_FILE_VARIABLE)
            os.kill(os.getpid(), signal.SIGKILL)

    return fault


def _database_url(database: str | None) -> str:
    home = home_directory()
    home.mkdir(parents=True, exist_ok=True)
    return database or f"sqlite:///{home / 'clearinghouse.db'}"


def _build_api_node(rpc, deployment_path, database, mechanism, account=None):
    from proofmarket.bootstrap import build_clearinghouse

    web3, deployment = _connect(rpc, deployment_path)
    node = build_clearinghouse(
        web3, deployment, account, _database_url(database), home_directory() / "rounds", mechanism, loop_elsewhere=True
    )
    return node, deployment


def api_app_from_environment():
    """The bid API of one uvicorn worker of ``serve --api-only --workers N`` (a factory)."""
    settings = json.loads(os.environ[WORKER_SETTINGS_VARIABLE])
    configure_logging(settings["log_level"], settings["log_format"])
    node, _ = _build_api_node(settings["rpc"], Path(settings["deployment"]), settings["database"], settings["mechanism"])
    return node.app


@click.command()
@rpc_option
@deployment_option
@key_option
@devnet_account_option
@click.option("--database", envvar="PROOFMARKET_DATABASE", default=None, help="SQLAlchemy URL (default: SQLite in $PROOFMARKET_HOME).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the bid API listens on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port of the bid API.")
@click.option("--poll-seconds", type=float, default=1.0, show_default=True, help="How often the round loop runs.")
@click.option(
    "--mechanism", type=click.Choice(MECHANISMS), default="proofphi", show_default=True,
    help="The auction the round loop clears with (docs/mechanism.md); proofphi is the truthful default.",
)
@click.option("--api-only", is_flag=True, help="Serve the bid API only, no round loop; needs no key. Any number of these share the database.")
@click.option("--loop-only", is_flag=True, help="Run the round loop only, no bid API.")
@click.option(
    "--standby", is_flag=True,
    help="If another process runs the round loop on this database, wait and take over when it dies (instead of exiting with code 2).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="uvicorn worker processes serving the bid API on one port (with --api-only).",
)
@log_format_option
@log_level_option
def serve(
    rpc, deployment_path, key, devnet_account, database, host, port, poll_seconds, mechanism, api_only, loop_only,
    standby, workers, log_format, log_level,
):
    """Run the clearinghouse: the bid API and the round loop (or one of them).

    The database belongs to one market: another market's database is refused. One process runs
    the round loop on a database: a second ``serve`` on it says who holds it and exits (code 2),
    or with --standby waits and takes over when the holder dies.
    """
    if api_only and loop_only:
        raise UserInputError("--api-only and --loop-only are mutually exclusive: leave both out to run both")
    if api_only and standby:
        raise UserInputError("--standby is for the round loop; an --api-only process runs none")
    if workers > 1 and not api_only:
        raise UserInputError("--workers needs --api-only: the round loop runs in one process")
    configure_logging(log_level, log_format)
    if api_only:
        _serve_api_only(rpc, deployment_path, key, devnet_account, database, host, port, mechanism, workers, log_format, log_level)
        return
    _serve_with_loop(
        rpc, deployment_path, key, devnet_account, database, host, port, poll_seconds, mechanism, loop_only, standby
    )


def _listen(host: str, port: int):
    """A listening TCP socket on ``host:port`` for the bid API; a port in use is one line."""
    import socket

    listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
        listening.listen(2048)
    except OSError as error:
        listening.close()
        if error.errno == errno.EADDRINUSE:
            raise UserInputError(
                f"port {port} on {host} is already in use (another `proofmarket serve`?): stop it or pass another --port"
            ) from None
        raise UserInputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    listening.set_inheritable(True)
    return listening


def _serve_api_only(rpc, deployment_path, key, devnet_account, database, host, port, mechanism, workers, log_format, log_level):
    import uvicorn

    from proofmarket.deployment import default_deployment_path

    account = _account(key, devnet_account) if key or devnet_account is not None else None
    listening = _listen(host, port)  # a busy port is refused before anything starts
    try:
        node, deployment = _build_api_node(rpc, deployment_path, database, mechanism, account)  # checks everything, once
    except BaseException:
        listening.close()
        raise
    market = deployment.market
    event(
        log, f"bid API only for market {market} on {rpc}; http://{host}:{port}, {workers} worker(s); the round loop runs elsewhere",
        market=market, rpc=rpc, api=f"http://{host}:{port}", workers=workers,
    )
    if workers == 1:
        try:
            _run_uvicorn(node.app, listening)
        finally:
            node.close()
            listening.close()
        return
    node.close()
    os.environ[WORKER_SETTINGS_VARIABLE] = json.dumps({
        "rpc": rpc, "deployment": str(deployment_path or default_deployment_path()), "database": _database_url(database),
        "mechanism": mechanism, "log_format": log_format, "log_level": log_level,
    })
    try:  # the workers share the socket bound above
        uvicorn.run(
            "proofmarket.cli.serve:api_app_from_environment", factory=True, fd=listening.fileno(), workers=workers,
            log_level="warning", log_config=None,
        )
    except KeyboardInterrupt:  # Ctrl-C (SIGINT) stops the server: a normal end
        pass
    finally:
        listening.close()


def _run_uvicorn(app, listening) -> None:
    """Serve ``app`` on the bound socket until uvicorn stops; Ctrl-C is a normal end."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", log_config=None)  # our handler, our format
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except KeyboardInterrupt:
        pass


def _serve_with_loop(rpc, deployment_path, key, devnet_account, database, host, port, poll_seconds, mechanism, loop_only, standby):
    from proofmarket.bootstrap import build_clearinghouse
    from proofmarket.clearinghouse.loop_lock import RoundLoopLock, holder_name
    from proofmarket.clearinghouse.service import LeadershipLost

    web3, deployment = _connect(rpc, deployment_path)
    account = _account(key, devnet_account)
    listening = None if loop_only else _listen(host, port)  # a busy port is refused before anything starts
    home = home_directory()
    try:
        node = build_clearinghouse(
            web3, deployment, account, _database_url(database), home / "rounds", mechanism, fault=_kill_file_fault()
        )
    except BaseException:
        if listening is not None:
            listening.close()
        raise
    clearinghouse = node.clearinghouse
    clearinghouse.loop_holder = holder_name()
    lock = None
    if not standby:
        try:
            lock = RoundLoopLock.acquire(clearinghouse.store)  # taken or refused (exit 2) before anything runs
        except Exception:
            node.close()
            if listening is not None:
                listening.close()
            raise
    stop = threading.Event()
    outcome = {"lost": False}

    def lead(held: RoundLoopLock) -> None:
        """Run the loop while ``held`` is ours; raises LeadershipLost when it is not."""

        def check_leadership() -> None:
            if not held.held():
                raise LeadershipLost("the round-loop lock's database session ended")

        clearinghouse.check_leadership = check_leadership
        clearinghouse.loop_elsewhere = False
        event(log, f"round loop leader: {holder_name()} holds the round-loop lock", holder=holder_name())
        # A pass never raises an Exception (a failing step is retried with backoff and shown in
        # /v1/health); anything else is logged, and the loop goes on.
        while not stop.is_set():
            try:
                changed = node.run_once()
                log.debug("round loop pass: rounds advanced %s", changed)
            except Exception:  # noqa: BLE001 - the loop logs and retries; state is in the database
                log.exception("round loop pass failed; retrying")
            stop.wait(poll_seconds)

    def round_loop() -> None:
        nonlocal lock
        while not stop.is_set():
            if lock is None:
                clearinghouse.loop_elsewhere = True  # until this process leads, /v1/health reports the leader's loop
                lock = RoundLoopLock.wait(
                    clearinghouse.store, stop, poll_seconds=min(poll_seconds, 1.0),
                    on_wait=lambda locked: event(
                        log, f"standby: waiting for the round-loop lock ({locked.holder})", holder=locked.holder
                    ),
                )
                if lock is None:
                    return
            try:
                lead(lock)
            except LeadershipLost as lost:
                event(log, f"round loop stopped: {lost}; this process no longer leads", logging.ERROR)
                lock.release()
                lock = None
                if not standby:
                    outcome["lost"] = True
                    stop.set()
                    if not loop_only:
                        os.kill(os.getpid(), signal.SIGINT)  # uvicorn shuts the API down
                    return

    loop = threading.Thread(target=round_loop, name="round-loop", daemon=True)
    loop.start()
    api = "none" if loop_only else f"http://{host}:{port}"
    event(
        log, f"clearinghouse for market {deployment.market} on {rpc}; bid API on {api}"
        + ("; standby for the round loop" if standby else ""),
        market=deployment.market, rpc=rpc, api=api, mechanism=mechanism, standby=standby,
    )
    try:
        if loop_only:
            for signal_number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signal_number, lambda number, frame: stop.set())
            while loop.is_alive():
                loop.join(timeout=0.5)
        else:
            _run_uvicorn(node.app, listening)
    finally:
        stop.set()
        loop.join(timeout=10)
        if lock is not None:
            lock.release()
        node.close()
        if listening is not None:
            listening.close()
    if outcome["lost"]:
        raise SystemExit(1)
