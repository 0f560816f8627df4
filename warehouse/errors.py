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
