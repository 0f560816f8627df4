"""Prefect flows: discover and fetch report pages politely, archive them, ingest them into the warehouse."""

import os

# Offline, Prefect's telemetry logs an error on every run; set before anything imports prefect.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
