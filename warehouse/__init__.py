"""The DuckDB warehouse: schema and migrations, idempotent loads of ready frames (it never runs the
transform; see ingest/), views, read-only SQL, export and charts.

Entry points: load.load_frames / load.known_inputs / load.record_rejects, yoy.yoy_frame, query.run_query,
export.export_parquet, chart.chart_indicator, checksum.table_checksums, location.default_warehouse_path,
connection.open_read_only / open_for_writing. Every SQL statement of nianbao lives here.
"""
