"""A throwaway PostgreSQL server for the storage tests (and for ``.ci/run``).

The tests run against ``RASAD_TEST_PG_URL`` when it is set (a URL of a server where databases may
be created, e.g. ``postgresql://postgres@/postgres?host=/tmp/x&port=5432``).  Otherwise the first
test that needs PostgreSQL starts a private server from the installed binaries (``initdb`` and
``pg_ctl`` on PATH or in Debian's ``/usr/lib/postgresql/*/bin``): a fresh cluster in a temporary
folder, listening only on a Unix socket there, run as the ``postgres`` user when the tests run as
root, stopped and removed when the tests end.  Each test gets a database of its own.

When neither works the PostgreSQL tests skip with the reason, or fail when
``RASAD_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it once it has a server).

As a script (stdlib only, so ``.ci/run`` can use it before the virtual environment exists)::

    python3 tests/pg_server.py start DIR   # prints the server URL
    python3 tests/pg_server.py stop DIR
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "RASAD_TEST_PG_URL"
ENV_REQUIRE = "RASAD_REQUIRE_POSTGRES"
SERVER_OPTIONS = "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Unavailable(Exception):
    """No PostgreSQL server can be had here; the message says why."""


def bin_dir() -> Path:
    """The folder holding initdb and pg_ctl (PATH first, then the newest Debian version)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if versions:
        return Path(versions[-1]).parent
    raise Unavailable("PostgreSQL is not installed (no initdb/pg_ctl; on Debian: apt-get install -y postgresql)")


def _as_owner() -> list[str]:
    """Prefix that runs a command as the user owning the cluster: ``postgres`` when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise Unavailable("running as root and there is no 'postgres' user to run the server as") from exc
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--"]
    su = shutil.which("su")
    if su is None:
        raise Unavailable("running as root without runuser or su to run the server as 'postgres'")
    return [su, "postgres", "-s", "/bin/sh", "-c", '"$0" "$@"']


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: list[str], what: str, cwd: Path) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, cwd=cwd)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise Unavailable(f"{what} failed: {' / '.join(tail)}")


def start_cluster(root: Path) -> str:
    """initdb + start a server in ``root``; returns the URL of its ``postgres`` database."""
    binaries = bin_dir()
    owner = _as_owner()
    root.mkdir(parents=True, exist_ok=True)
    if owner:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    data, port = root / "data", _free_port()
    _run([*owner, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
          "--no-sync"], "initdb", root)
    _run([*owner, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60",
          "-o", f"-k {root} -p {port} {SERVER_OPTIONS}", "start"], "pg_ctl start", root)
    (root / "port").write_text(str(port), encoding="utf-8")
    return f"postgresql://postgres@/postgres?host={root}&port={port}"


def stop_cluster(root: Path) -> None:
    if (root / "data" / "postmaster.pid").exists():
        with contextlib.suppress(Unavailable):
            subprocess.run([*_as_owner(), str(bin_dir() / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate",
                            "stop"], capture_output=True, timeout=60, check=False, cwd=root)
    shutil.rmtree(root, ignore_errors=True)


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


@dataclass
class Server:
    """A server the tests may create databases on; ``root`` is set when the tests started it."""

    url: str
    root: Path | None = None
    created: list[str] = field(default_factory=list)

    def new_database(self, prefix: str = "rasad_test") -> str:
        import psycopg

        name = f"{prefix}_{os.getpid()}_{len(self.created)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return with_database(self.url, name)

    def close(self) -> None:
        if self.root is not None:
            stop_cluster(self.root)
            return
        import psycopg

        with contextlib.suppress(psycopg.Error), psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.created:  # leave an external server as it was
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


_STATE: dict[str, Server | str] = {}


def server() -> Server:
    """The session's server, started on first use; raises :class:`Unavailable` with the reason."""
    cached = _STATE.get("server")
    if isinstance(cached, Server):
        return cached
    if isinstance(cached, str):
        raise Unavailable(cached)
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        _STATE["server"] = "psycopg is not installed (pip install 'psycopg[binary]')"
        raise Unavailable(str(_STATE["server"])) from exc
    try:
        if os.environ.get(ENV_URL):
            found = Server(os.environ[ENV_URL])
        else:
            root = Path(tempfile.mkdtemp(prefix="rasad-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
            try:
                found = Server(start_cluster(root), root=root)
            except BaseException:
                stop_cluster(root)
                raise
    except Unavailable as exc:
        _STATE["server"] = str(exc)
        raise
    atexit.register(found.close)
    _STATE["server"] = found
    return found


def database_url(kind: str, tmp: Path) -> str:
    """A fresh database of ``kind`` ("sqlite" or "postgres") for one test; skips when PostgreSQL is missing."""
    import pytest

    if kind == "sqlite":
        return str(tmp / "rasad.db")
    try:
        return server().new_database()
    except Unavailable as exc:
        if os.environ.get(ENV_REQUIRE) == "1":
            pytest.fail(f"PostgreSQL required ({ENV_REQUIRE}=1) but unavailable: {exc}")
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"start", "stop"}:
        print("usage: pg_server.py start|stop DIR", file=sys.stderr)
        return 2
    root = Path(argv[2])
    if argv[1] == "stop":
        stop_cluster(root)
        return 0
    try:
        print(start_cluster(root))
    except Unavailable as exc:
        print(f"no PostgreSQL server: {exc}", file=sys.stderr)
        stop_cluster(root)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

