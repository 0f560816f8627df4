-- The 政府信息公开 template tables' own arithmetic, per report (transforms/gov_info_tables.py), and views that
-- flag a table that does not add up instead of passing its cells off as checked truth.
-- (Numbered 003 on the h-docs branch; it is migration 007 once merged after 003–006.)

CREATE TABLE table_checks (
    report_id VARCHAR NOT NULL,
    table_id VARCHAR NOT NULL,
    check_id VARCHAR NOT NULL,
    scope VARCHAR,
    left_value DOUBLE,
    right_value DOUBLE,
    ok BOOLEAN NOT NULL,
    detail VARCHAR
);

CREATE VIEW gov_info_table_status AS
SELECT
    c.report_id,
    r.region_code,
    r.report_year,
    c.table_id,
    count(*) AS checks,
    count(*) FILTER (WHERE NOT c.ok) AS failed,
    bool_and(c.ok) AS adds_up,
    string_agg(c.check_id || coalesce(' [' || c.scope || ']', '') || ': ' || c.detail, '; ')
        FILTER (WHERE NOT c.ok) AS problems
FROM table_checks AS c
JOIN reports AS r USING (report_id)
GROUP BY c.report_id, r.region_code, r.report_year, c.table_id;

CREATE VIEW gov_info_flags AS
SELECT * FROM gov_info_table_status WHERE NOT adds_up;

CREATE VIEW gov_info_table_values AS
SELECT
    v.*,
    s.table_id,
    s.adds_up
FROM indicator_values AS v
JOIN indicators AS i ON i.code = v.code AND i.domain = 'gov_info' AND i.rule_count = 0  -- table rows
LEFT JOIN gov_info_table_status AS s
    ON s.report_id = v.report_id AND starts_with(v.code, 'gov_info.' || s.table_id || '_');

COMMENT ON TABLE table_checks IS 'The 信息公开 template tables'' own arithmetic per report: one row per check and column (or row); ok = false when it does not add up, or when a row was incomplete (check_id complete).';
COMMENT ON VIEW gov_info_table_status IS 'Per report and template table: how many checks ran, how many failed, adds_up, and the failures.';
COMMENT ON VIEW gov_info_flags IS 'Reports whose 信息公开 template table does not add up: their cells are loaded but not to be taken as truth.';
COMMENT ON VIEW gov_info_table_values IS 'Cells of the 信息公开 template tables (code = row, scope = column) with adds_up from their table''s checks (null: no check covers the table).';
