"""A private PostgreSQL server for the tests: a temporary data folder, ``initdb`` + ``pg_ctl`` on a
free local port (its unix socket in the same temporary folder), stopped and removed at the end.

    with PgServer.start() as server:
        url = server.url("some_db")          # postgresql+psycopg://regdesk@127.0.0.1:PORT/some_db
        server.create_database("t1", template="regdesk_template")

The server belongs to the user running the tests. PostgreSQL refuses to run as root, so under root
(CI runs as root) it runs as the ``postgres`` system user (``runuser``), which owns the temporary
folder. The binaries are found through ``REGDESK_PG_BIN``, ``pg_config --bindir`` or Debian's
``/usr/lib/postgresql/<version>/bin`` (newest first). ``PgUnavailable`` says why it cannot start.

It is tuned for tests, not for keeping data: no fsync, no synchronous commit, no full-page writes.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "regdesk"  # the superuser initdb makes (trust authentication, local connections only)


class PgUnavailable(RuntimeError):
    """The server cannot be started here (no binaries, no unprivileged user, initdb failed ...)."""


def find_bin_dir() -> Path:
    if os.environ.get("REGDESK_PG_BIN"):  # chosen: that one or none
        chosen = Path(os.environ["REGDESK_PG_BIN"])
        if (chosen / "initdb").is_file() and (chosen / "pg_ctl").is_file():
            return chosen
        raise PgUnavailable(f"REGDESK_PG_BIN={chosen} 中没有 initdb 和 pg_ctl")
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
            candidates.append(Path(out.stdout.strip()))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True)
        candidates += [p / "bin" for p in versions]
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    raise PgUnavailable("找不到 PostgreSQL 的 initdb/pg_ctl（Debian：apt-get install postgresql；"
                        "或用 REGDESK_PG_BIN 指向其 bin 文件夹）")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bin_dir: Path, folder: Path, port: int, run_as: list[str]) -> None:
        self.bin_dir = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self._run_as = run_as
        self.version = ""

    # -- life cycle -------------------------------------------------------------------------
    @classmethod
    def start(cls, bin_dir: Path | None = None) -> PgServer:
        bin_dir = bin_dir or find_bin_dir()
        folder = Path(tempfile.mkdtemp(prefix="regdesk-pg-"))
        run_as: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(folder, ignore_errors=True)
                raise PgUnavailable("以 root 运行，但没有 postgres 用户可以运行数据库服务器") from None
            runuser = shutil.which("runuser")
            if runuser is None:
                shutil.rmtree(folder, ignore_errors=True)
                raise PgUnavailable("以 root 运行，但没有 runuser 可以切换到 postgres 用户") from None
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            folder.chmod(0o700)
            run_as = [runuser, "-u", "postgres", "--"]
        server = cls(bin_dir, folder, _free_port(), run_as)
        try:
            server._initdb()
            server._pg_ctl_start()
        except BaseException:
            server.stop()
            raise
        return server

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess:
        try:
            return subprocess.run([*self._run_as, *argv], capture_output=True, text=True, timeout=timeout,
                                  check=True, cwd=self.folder, env={**os.environ, "LC_ALL": "C.UTF-8"})
        except subprocess.CalledProcessError as exc:
            raise PgUnavailable(f"{Path(argv[0]).name} 失败（退出码 {exc.returncode}）：\n{exc.stdout}\n{exc.stderr}") from None
        except subprocess.TimeoutExpired:
            raise PgUnavailable(f"{Path(argv[0]).name} 超过 {timeout:.0f} 秒没有结束") from None

    def _initdb(self) -> None:
        out = self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", USER, "--auth=trust",
                        "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        self.version = out.stdout.strip()
        conf = self.data / "postgresql.conf"
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.folder}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
            "log_min_messages": "warning",
        }
        # Appended lines win over the defaults above them (appending keeps the file's owner).
        with open(conf, "a", encoding="utf-8") as fh:
            fh.write("".join(f"{k} = {v}\n" for k, v in settings.items()))

    def _pg_ctl_start(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-w", "-t", "60", "start")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.1)
        raise PgUnavailable(f"服务器没有在端口 {self.port} 上接受连接：\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join((self.folder / "server.log").read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(PgUnavailable):
                self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop",
                          timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> PgServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, *statements: str) -> None:
        """Run statements outside a transaction (CREATE/DROP DATABASE need that) as the superuser."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                             autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of ``template`` when given); returns its SQLAlchemy URL."""
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
