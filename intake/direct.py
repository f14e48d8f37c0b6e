"""The webhook's few hot statements, run on the database driver's own cursor (PostgreSQL).

SQLAlchemy's execution of a Core statement (an execution context, a result object, type
processing) cost about as much CPU as psycopg's own round trip, and these statements run
on every webhook. Each is compiled once per dialect, with SQLAlchemy's bind processors for
its parameters; a driver error goes through SQLAlchemy's own handling, so callers see the
same exceptions (a dropped connection invalidates the pool, parameters stay hidden).
Rows come as the driver reads them (JSON parsed, timestamps aware) with named columns.
Any other database runs the statement as Core, and so does an engine with listeners to
cursor executes (tracing, a test's EXPLAIN of every statement), so they see it as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from psycopg import Error as DriverError
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection, Dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

_Compiled = tuple[str, dict[str, Any], dict[str, Callable[[Any], Any]]]


class Direct:
    """A statement run straight on psycopg's cursor, inside the caller's transaction."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[Dialect, _Compiled | None] = {}

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The first row, or None."""
        if conn.dialect not in self._compiled:
            self._compiled[conn.dialect] = _compile(self.statement, conn.dialect)
        compiled = self._compiled[conn.dialect]
        # a listener to cursor executes (tracing, a test's EXPLAIN) sees them as usual
        if compiled is None or conn.dispatch.before_cursor_execute:
            return conn.execute(cast(Executable, self.statement), params).first()
        sql, defaults, processors = compiled
        values = {**defaults, **params}
        for name, process in processors.items():
            values[name] = process(values[name])
        driver = conn.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor(row_factory=namedtuple_row)
        try:
            cursor.execute(sql, values)
            return cursor.fetchone()
        except DriverError as exc:
            # the same exception, invalidation and hidden parameters as conn.execute
            conn._handle_dbapi_exception(exc, sql, values, cursor, None)
        finally:
            cursor.close()

    def one(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """The one row it must return."""
        row = self.first(conn, params)
        if row is None:
            raise LookupError("the statement returned no row")
        return row


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled | None:
    if dialect.driver != "psycopg":
        return None
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    sql = str(compiled)
    defaults = {name: value for name, value in compiled.params.items() if f"%({name})s" in sql}
    processors: dict[str, Callable[[Any], Any]] = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and name in defaults:
            processors[name] = process
    return sql, defaults, processors
