"""The append-only audit table on PostgreSQL: triggers refusing UPDATE, DELETE and TRUNCATE.

Revision 0002 gave SQLite its triggers; PostgreSQL databases (the central office's) had none.
One plpgsql function raises ``audit_events is append-only`` (the same words as SQLite's RAISE);
the row triggers keep SQLite's names, and TRUNCATE (which row triggers do not see) has its own.
As on SQLite, the chain check finds tampering; the triggers stop honest mistakes. Nothing to do
on SQLite.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FUNCTION = "audit_events_append_only"
ROW_TRIGGERS = {"audit_events_no_update": "UPDATE", "audit_events_no_delete": "DELETE"}
TRUNCATE_TRIGGER = "audit_events_no_truncate"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END
        $$""")
    for name, operation in ROW_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON audit_events "
                   f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")
    op.execute(f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON audit_events "
               f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in (*ROW_TRIGGERS, TRUNCATE_TRIGGER):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON audit_events")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
