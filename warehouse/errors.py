"""Warehouse errors; str(err) is one line naming the file and the reason."""

from __future__ import annotations


class WarehouseError(Exception):
    """The warehouse cannot be opened or used as asked."""


class SchemaTooNewError(WarehouseError):
    """The file was written by a newer nianbao whose schema this code does not know."""


class WarehouseBusyError(WarehouseError):
    """Another process holds the write lock on the file."""


class QueryRefusedError(WarehouseError):
    """A query that would write or reach outside the warehouse; `nianbao sql` exits 2."""


class NotAWarehouseError(WarehouseError):
    """The file is not a nianbao warehouse (another DuckDB database, or not DuckDB at all): never touched."""


class WarehouseDamagedError(WarehouseError):
    """The file fails DuckDB's checks (truncated, a block's checksum wrong); the message names the way out."""


class QueryTimeoutError(WarehouseError):
    """A query ran past warehouse.query_timeout_seconds and was interrupted."""
