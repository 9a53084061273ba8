"""The rows a rebuild makes in SQL (db/projection_rows.py) hold what column_value makes."""

from __future__ import annotations

import pytest

from db.projection import column_value
from db.projection_rows import _KEY, _column_sql, register

VALUES = [
    '"plain"', '""', '"with \\"quotes\\""', '"caf\\u00e9"', '"tab\\there"', '"x\\\\y"',
    '"ünïcode ✓"', '"[not a list]"', "0", "7", "-5", "12345678901234567", "1.5", "1e3", "-0.25",
    "true", "false", "null", "[]", "[1, 2]", '["o2", "o1"]', '{"b": 1, "a": [true, null]}',
    '{"é": "ü"}',
]


@pytest.mark.parametrize("value", VALUES)
def test_the_sql_column_of_a_winner_is_column_value(value: str) -> None:
    import sqlcipher3

    raw = sqlcipher3.connect(":memory:")
    try:
        register(raw)
        key = _KEY.replace("h.", "")
        got = raw.execute(
            f"WITH h(hlc, device_id, op_id, value) AS (VALUES ('0001-00001', 'dev', 'op', ?)), "
            f"w(w0) AS (SELECT {key} FROM h) SELECT {_column_sql('w0')} FROM w", (value,)
        ).fetchone()[0]
    finally:
        raw.close()
    want = column_value(value)
    assert got == want and type(got) is type(want)


def test_no_winner_is_null() -> None:
    import sqlcipher3

    raw = sqlcipher3.connect(":memory:")
    try:
        register(raw)
        assert raw.execute(f"SELECT {_column_sql('NULL')}").fetchone()[0] is None
    finally:
        raw.close()
