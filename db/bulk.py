"""Fast bulk inserts for big imports.

SQLAlchemy's executemany path spends more time processing bind parameters than SQLite spends
storing the rows (about 25 µs per row for a candidate). On SQLite we hand the driver plain
tuples, converting dates and times to exactly the text SQLAlchemy's own SQLite types write and
read back. On PostgreSQL (psycopg 3) the rows go through ``COPY … FROM STDIN`` in the session's
transaction, the server's own bulk path: psycopg adapts dates, times, booleans and None exactly
as it does for bound parameters. Other databases keep SQLAlchemy's executemany.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from operator import itemgetter

from sqlalchemy import Date, DateTime, Table, insert
from sqlalchemy.orm import Session


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")


def _sqlite_date(value: dt.date | None) -> str | None:
    return None if value is None else f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def bulk_insert(session: Session, table: Table, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts keyed by column name, all with the same keys) in the session's transaction."""
    if not rows:
        return
    names = list(rows[0])
    pick = itemgetter(*names)
    if len(names) == 1:
        insert_tuples(session, table, names, [(row[names[0]],) for row in rows])
    else:
        insert_tuples(session, table, names, [pick(row) for row in rows])


def insert_tuples(session: Session, table: Table, names: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (tuples of Python values in the order of ``names``) in the session's transaction."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_rows(conn, table, names, rows)
        return
    if conn.dialect.name != "sqlite":
        conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
        return
    convert: list[tuple[int, object]] = []
    for i, name in enumerate(names):
        col_type = table.c[name].type
        if isinstance(col_type, DateTime):
            convert.append((i, _sqlite_datetime))
        elif isinstance(col_type, Date):
            convert.append((i, _sqlite_date))
    if convert:
        # Imports repeat the same timestamps and many dates: convert each value once per column.
        caches: list[dict[object, str | None]] = [{} for _ in convert]
        converted = []
        for row in rows:
            values = list(row)
            for (i, conv), cache in zip(convert, caches, strict=True):
                v = values[i]
                if v is not None:
                    text = cache.get(v)
                    if text is None:
                        text = cache[v] = conv(v)  # type: ignore[operator]
                    values[i] = text
            converted.append(tuple(values))
        rows = converted
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
    conn.exec_driver_sql(sql, rows)


def _copy_rows(conn, table: Table, names: Sequence[str], rows: Sequence[tuple]) -> None:
    columns = ", ".join(f'"{n}"' for n in names)
    driver = conn.connection.driver_connection  # psycopg's connection, inside this transaction
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
