"""RegDesk persistence: SQLAlchemy models, engine/session factory and Alembic migrations.

Never imports Qt or the ``app``/``ui`` layers.
"""
