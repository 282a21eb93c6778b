"""Alembic environment: always run with the engine handed in by ``db.migrate``.

On SQLite, foreign keys are off while the revisions run: rebuilding a table in batch mode drops
the old table, and with foreign keys on SQLite first deletes the rows of other tables that refer
to it (``ON DELETE CASCADE``). The pragma cannot change inside a transaction, so it is set on the
driver's connection before the migration's transaction begins; the references are checked before
that transaction commits, and the pragma is on again before the connection goes back to the pool.
On PostgreSQL several workstations may start at once against one server: the upgrade holds a
transaction-level advisory lock, so the second waits, then finds the schema already at head.
"""

from alembic import context
from sqlalchemy import text

from db.models import Base

MIGRATION_LOCK = int.from_bytes(b"RegDeskM", "big", signed=True)

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    driver = connection.connection.driver_connection if sqlite else None
    if driver is not None:
        driver.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows referring to missing rows: {broken[:5]}")
    finally:
        if driver is not None:
            driver.execute("PRAGMA foreign_keys=ON")
