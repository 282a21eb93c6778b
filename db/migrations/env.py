"""Alembic environment: always run with the engine handed in by ``db.migrate``.

On PostgreSQL several workstations may start at once against one server: the upgrade holds a
transaction-level advisory lock, so the second waits, then finds the schema already at head.
"""

from alembic import context
from sqlalchemy import text

from db.models import Base

MIGRATION_LOCK = int.from_bytes(b"RegDeskM", "big", signed=True)

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
