-- Year over year for one code in milliseconds. indicator_yoy used to pick each report's value from facts at
-- query time: two scans of facts (the pick and the n_values count), a row_number window over the code's
-- facts, then a lag window over the picks. Facts are stored in load order, so one code's facts sit in every
-- vector of the table and the scan decompresses all of it; on 1.5 M synthetic facts (bench/bench_warehouse.py,
-- CPU medians in one process) the view took ~120 ms for one code, 1.3x a bare scan of the code's facts.
--
-- Now the loader keeps picked_values: the value indicator_values picks for each report, code and scope,
-- written in the same transaction as the report's facts (and deleted with them when a report is replaced,
-- reprocessed or moved), each batch's rows inserted ordered by code (warehouse/picks.py), so one code's rows
-- lie together and DuckDB skips the vectors that hold none of them. indicator_yoy reads it and finds the
-- previous year by a join on (code, region, kind, scope, report_year - 1) instead of a lag() window: a report
-- is one per region, kind and year and a pick one per report, code and scope, so the join finds the row lag()
-- found exactly when that row is the year before, the only case where lag()'s value was kept. On 15,000 rows
-- the window cost more than the scan; the hash join costs little.
--
-- Measured (same bench, CPU medians, shared machine): the view for one code 140 ms -> 38-40 ms, i.e. 1.44x ->
-- 0.42x the bare scan of the code's facts; `nianbao yoy` whole path 290-340 ms -> 95-110 ms. The price is at
-- load time: +37 % CPU for the loader on the bench's facts-only batches (paired runs of the same batches
-- with and without the table), and a file ~28 % larger.
--
-- Measured and not kept: an ART index on the code (the planner keeps a sequential scan at 1 % selectivity,
-- even with index_scan_percentage raised, and DuckLake has no indexes); facts themselves sorted by code within
-- each batch (the bare scan gets ~4x cheaper, but the view's two windows remain: 65-85 ms); the table without
-- report_id (cheaper to load, but the loader deletes a report's rows by report_id). The pick rule is stated
-- for readers in indicator_values (migration 003); warehouse/picks.py applies the same rule to the batch's
-- frames, and tests/test_warehouse_picks.py checks that indicator_yoy equals the window over
-- indicator_values. DuckLake takes all of this as is (a table, inserts, deletes, a view); its Parquet files
-- hold every code each, so there the gain is the narrow table and the join, not skipping.

CREATE TABLE picked_values (
    report_id VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    report_year INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    scope VARCHAR,
    value DOUBLE,
    unit VARCHAR,
    n_values BIGINT NOT NULL
);

INSERT INTO picked_values
SELECT report_id, region_code, kind, report_year, code, scope, value, unit, n_values
FROM indicator_values
ORDER BY code, region_code, kind, scope, report_year;

CREATE OR REPLACE VIEW indicator_yoy AS
SELECT
    c.region_code,
    g.name AS region_name,
    c.kind,
    c.code,
    i.name_zh AS indicator_name,
    c.scope,
    c.report_year,
    c.value,
    c.unit,
    p.value AS previous_value,
    c.value - p.value AS change,
    CASE WHEN p.value <> 0 THEN round(100 * (c.value - p.value) / abs(p.value), 2) END AS change_pct,
    c.n_values,
    c.report_id
FROM picked_values AS c
LEFT JOIN picked_values AS p
    ON p.code = c.code AND p.region_code = c.region_code AND p.kind = c.kind
    AND coalesce(p.scope, '') = coalesce(c.scope, '') AND p.report_year = c.report_year - 1
LEFT JOIN region_names AS g ON g.code = c.region_code
LEFT JOIN indicators AS i ON i.code = c.code;

COMMENT ON TABLE picked_values IS 'One row per report, code and scope: the value indicator_values picks (by its pick_rule) and how many the report stated, kept by the loader with the report''s facts; indicator_yoy reads it.';
COMMENT ON VIEW indicator_yoy IS 'Per region, kind, code and scope: a year''s value (from indicator_values), the previous year''s value and the absolute and percent change; previous_value is NULL when the previous year is not loaded (never the value from two years earlier).';

COMMENT ON COLUMN picked_values.report_id IS 'The report: region_code:kind:report_year.';
COMMENT ON COLUMN picked_values.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN picked_values.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN picked_values.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN picked_values.code IS 'Indicator code.';
COMMENT ON COLUMN picked_values.scope IS 'Sub-population when a report gives the code several values, else NULL.';
COMMENT ON COLUMN picked_values.value IS 'The picked value (indicator_values.value).';
COMMENT ON COLUMN picked_values.unit IS 'Unit of the picked value.';
COMMENT ON COLUMN picked_values.n_values IS 'How many facts the report gives for this code and scope.';

COMMENT ON COLUMN indicator_yoy.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN indicator_yoy.region_name IS 'Current name of the region (region_names).';
COMMENT ON COLUMN indicator_yoy.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN indicator_yoy.code IS 'Indicator code.';
COMMENT ON COLUMN indicator_yoy.indicator_name IS '中文名 of the indicator (indicators.name_zh).';
COMMENT ON COLUMN indicator_yoy.scope IS 'Sub-population when a report gives the code several values, else NULL.';
COMMENT ON COLUMN indicator_yoy.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN indicator_yoy.value IS 'The year''s value (indicator_values.value).';
COMMENT ON COLUMN indicator_yoy.unit IS 'Unit of the picked value.';
COMMENT ON COLUMN indicator_yoy.previous_value IS 'The value of report_year - 1; NULL when that year is not loaded.';
COMMENT ON COLUMN indicator_yoy.change IS 'value - previous_value.';
COMMENT ON COLUMN indicator_yoy.change_pct IS 'Percent change against previous_value, 2 decimals; NULL when previous_value is 0 or NULL.';
COMMENT ON COLUMN indicator_yoy.n_values IS 'How many facts the report gives for this code and scope (1: no choice was made).';
COMMENT ON COLUMN indicator_yoy.report_id IS 'The report: region_code:kind:report_year.';
