-- The 政府信息公开 template tables read per report (transforms/gov_info_tables.py): every table with how many of
-- its own arithmetic checks ran and failed; the failures go to table_checks (migration 003), which the review
-- view already shows. Views flag a table that does not add up instead of passing its cells off as truth.
-- (Issue 11 was given migration 007: renumber this file when 004–006 of other branches land first.)

CREATE TABLE gov_info_tables (
    report_id VARCHAR NOT NULL,
    table_id VARCHAR NOT NULL,
    checks INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (report_id, table_id)
);

CREATE VIEW gov_info_table_status AS
SELECT
    t.report_id,
    r.region_code,
    r.report_year,
    t.table_id,
    t.checks,
    t.failed,
    t.failed = 0 AS adds_up,
    (SELECT string_agg(c.check_name || ': ' || c.detail, '; ' ORDER BY c.check_name, c.detail)
     FROM table_checks AS c
     WHERE c.report_id = t.report_id AND starts_with(c.check_name, t.table_id || '.')) AS problems
FROM gov_info_tables AS t
JOIN reports AS r USING (report_id);

CREATE VIEW gov_info_flags AS
SELECT * FROM gov_info_table_status WHERE NOT adds_up;

CREATE VIEW gov_info_table_values AS
SELECT
    f.report_id,
    r.region_code,
    r.report_year,
    f.code,
    i.name_zh AS indicator_name,
    f.scope,
    f.value,
    f.unit,
    f.evidence,
    s.table_id,
    s.adds_up
FROM facts AS f
JOIN reports AS r USING (report_id)
JOIN indicators AS i ON i.code = f.code AND i.domain = 'gov_info' AND i.rule_count = 0  -- table rows
LEFT JOIN gov_info_table_status AS s
    ON s.report_id = f.report_id AND starts_with(f.code, 'gov_info.' || s.table_id || '_');

COMMENT ON TABLE gov_info_tables IS 'Every 信息公开 template table read from a report: how many of its arithmetic checks ran and how many failed (the failures are rows of table_checks).';
COMMENT ON COLUMN gov_info_tables.report_id IS 'The 信息公开 report: region_code:kind:report_year.';
COMMENT ON COLUMN gov_info_tables.table_id IS 'proactive (主动公开), requests (收到和处理申请) or review (复议、诉讼): config/gov_info_tables.yaml.';
COMMENT ON COLUMN gov_info_tables.checks IS 'Checks run: per column or row, plus one that every row had its cells.';
COMMENT ON COLUMN gov_info_tables.failed IS 'Checks that failed (0: the table adds up).';
COMMENT ON VIEW gov_info_table_status IS 'Per report and template table: checks run, failed, adds_up, and the failures.';
COMMENT ON VIEW gov_info_flags IS 'Reports whose 信息公开 template table does not add up: their cells are loaded but not to be taken as truth.';
COMMENT ON VIEW gov_info_table_values IS 'Cells of the 信息公开 template tables (code = row, scope = column, exact value) with adds_up from their table''s checks.';

COMMENT ON COLUMN gov_info_table_status.report_id IS 'The 信息公开 report: region_code:kind:report_year.';
COMMENT ON COLUMN gov_info_table_status.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN gov_info_table_status.report_year IS 'The year the report covers.';
COMMENT ON COLUMN gov_info_table_status.table_id IS 'proactive, requests or review (config/gov_info_tables.yaml).';
COMMENT ON COLUMN gov_info_table_status.checks IS 'Checks run on the table.';
COMMENT ON COLUMN gov_info_table_status.failed IS 'Checks that failed.';
COMMENT ON COLUMN gov_info_table_status.adds_up IS 'True when every check passed: the cells can be taken as the report states them consistently.';
COMMENT ON COLUMN gov_info_table_status.problems IS 'The failed checks (table.check: [column or row] what does not add up), NULL when none.';
COMMENT ON COLUMN gov_info_flags.report_id IS 'The 信息公开 report: region_code:kind:report_year.';
COMMENT ON COLUMN gov_info_flags.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN gov_info_flags.report_year IS 'The year the report covers.';
COMMENT ON COLUMN gov_info_flags.table_id IS 'The table that does not add up.';
COMMENT ON COLUMN gov_info_flags.checks IS 'Checks run on the table.';
COMMENT ON COLUMN gov_info_flags.failed IS 'Checks that failed (at least one).';
COMMENT ON COLUMN gov_info_flags.adds_up IS 'Always false here.';
COMMENT ON COLUMN gov_info_flags.problems IS 'The failed checks (table.check: [column or row] what does not add up).';
COMMENT ON COLUMN gov_info_table_values.report_id IS 'The 信息公开 report: region_code:kind:report_year.';
COMMENT ON COLUMN gov_info_table_values.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN gov_info_table_values.report_year IS 'The year the report covers.';
COMMENT ON COLUMN gov_info_table_values.code IS 'The table row as a gov_info.* code of the catalog.';
COMMENT ON COLUMN gov_info_table_values.indicator_name IS 'The row''s Chinese name.';
COMMENT ON COLUMN gov_info_table_values.scope IS 'The column (自然人, 商业企业, …, 总计; 维持, 纠正, …).';
COMMENT ON COLUMN gov_info_table_values.value IS 'The cell''s exact value, in the code''s unit (行政事业性收费 in 元).';
COMMENT ON COLUMN gov_info_table_values.unit IS 'Unit of the value.';
COMMENT ON COLUMN gov_info_table_values.evidence IS 'The row label and its cells as read.';
COMMENT ON COLUMN gov_info_table_values.table_id IS 'The table the row belongs to.';
COMMENT ON COLUMN gov_info_table_values.adds_up IS 'Whether that table''s checks all passed (NULL: the table was not checked).';
