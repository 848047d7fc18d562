"""Dating the demo's rows: a row written today that stands for something done months ago gets that
moment as its created_at (auto_now_add stamped the clock). One UPDATE statement per table, run with
executemany, so backdating thousands of rows stays fast."""

import datetime as dt

from django.db import connection


def backdate(model, stamps: list[tuple[dt.datetime, int]]) -> None:
    """Set created_at of each (moment, primary key) in `stamps`."""
    if not stamps:
        return
    meta, field = model._meta, model._meta.get_field("created_at")
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {meta.db_table} SET {field.column} = %s WHERE {meta.pk.column} = %s",
            [(field.get_db_prep_value(at, connection), pk) for at, pk in stamps],
        )
