"""Schema upgrades: back the SQLite file up, then run Alembic to head."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    return script.get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(db_path: Path, revision: str | None) -> Path:
    """Copy a live SQLite file with the online-backup API (safe with WAL)."""
    backups = db_path.parent / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = backups / f"{db_path.stem}-{stamp}-rev{revision or 'none'}.sqlite"
    src = sqlite3.connect(str(db_path))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def upgrade(engine: Engine, target: str = "head") -> Path | None:
    """Bring the schema to ``target``; returns the backup file made first, if any."""
    current = current_revision(engine)
    backup = None
    if engine.dialect.name == "sqlite" and target == "head" and current != head_revision():
        path = engine.url.database
        if path and path != ":memory:" and Path(path).exists() and Path(path).stat().st_size > 0 and current:
            backup = backup_sqlite(Path(path), current)
    command.upgrade(alembic_config(engine), target)
    return backup
