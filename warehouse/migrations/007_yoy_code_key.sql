-- YoY for one code without reading every pick. picked_values holds one row per report, code and scope, each
-- batch's rows in code order; a filter on the code (VARCHAR, dictionary-compressed) still compares every row's
-- string: on the bench's 1.5 M picks that scan was ~51 M instructions of the ~210 M the YoY answer took, twice
-- (the view reads picked_values for the year and for the year before).
--
-- code_key is md5_number_lower(code): a 64-bit integer that DuckDB stores run-length encoded (the rows of one
-- code lie together in each batch) and filters run by run, so `code_key = md5_number_lower('x') AND code = 'x'`
-- reads ~6 M instructions instead of ~51 M and the string comparison runs only on the code's own rows. The
-- code equality stays in every filter and join, so a collision of two codes' keys could cost speed, never a
-- wrong row. The loader writes it (warehouse/picks.py computes the same md5 per distinct code of the batch;
-- md5 per row in SQL cost +9 % of the load's CPU); this migration fills it for the picks already there.
--
-- indicator_yoy joins on code_key too, so a filter on code_key reaches both scans of picked_values, and shows
-- it as its last column. warehouse/yoy.py filters on both. Measured on the bench's 1.5 M facts (15,000 rows
-- answered): the ordered answer of `nianbao yoy` on an open connection 220 M -> 117 M instructions
-- (callgrind, one DuckDB thread; 215 M -> 118 M with two), CPU median 37.2 -> 27.3 ms (two threads, both
-- warehouses open in one process, interleaved, shared machine). Left: the ORDER BY (~29 M; polars costs the
-- same), the hash joins (~25 M), the two scans (~20 M), Arrow and polars (~20 M).

ALTER TABLE picked_values ADD COLUMN code_key UBIGINT;

UPDATE picked_values SET code_key = md5_number_lower(code);

COMMENT ON COLUMN picked_values.code_key IS 'md5_number_lower(code), stored in runs: with code_key = md5_number_lower(''x'') beside code = ''x'' a scan skips the other codes'' rows.';

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
    c.report_id,
    c.code_key
FROM picked_values AS c
LEFT JOIN picked_values AS p
    ON p.code_key = c.code_key AND p.code = c.code AND p.region_code = c.region_code AND p.kind = c.kind
    AND coalesce(p.scope, '') = coalesce(c.scope, '') AND p.report_year = c.report_year - 1
LEFT JOIN region_names AS g ON g.code = c.region_code
LEFT JOIN indicators AS i ON i.code = c.code;

COMMENT ON VIEW indicator_yoy IS 'Per region, kind, code and scope: a year''s value (from indicator_values), the previous year''s value and the absolute and percent change; previous_value is NULL when the previous year is not loaded (never the value from two years earlier).';

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
COMMENT ON COLUMN indicator_yoy.code_key IS 'md5_number_lower(code) (picked_values.code_key): add code_key = md5_number_lower(''the.code'') to a filter on code and only that code''s rows are read.';
