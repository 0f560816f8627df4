-- Views shaped for questions: values with their region, year-over-year change, coverage, latest reports.

CREATE VIEW region_names AS
SELECT
    code,
    arg_max(name, coalesce(valid_to, 9999)) AS name,
    arg_max(level, coalesce(valid_to, 9999)) AS level,
    arg_max(province, coalesce(valid_to, 9999)) AS province,
    arg_max(city, coalesce(valid_to, 9999)) AS city
FROM regions
GROUP BY code;

CREATE VIEW indicator_values AS
SELECT
    f.report_id,
    r.region_code,
    g.name AS region_name,
    g.province,
    g.city,
    r.kind,
    r.report_year,
    f.code,
    i.name_zh AS indicator_name,
    f.value,
    f.value_high,
    f.unit,
    f.qualifier,
    f.scope,
    f.evidence,
    r.published_at,
    r.title
FROM facts AS f
JOIN reports AS r USING (report_id)
LEFT JOIN region_names AS g ON g.code = r.region_code
LEFT JOIN indicators AS i ON i.code = f.code;

CREATE VIEW indicator_yoy AS
WITH per_year AS (
    SELECT
        r.region_code,
        r.kind,
        f.code,
        coalesce(f.scope, '') AS scope_key,
        any_value(f.scope) AS scope,
        r.report_year,
        max(f.value) AS value,
        arg_max(f.unit, f.value) AS unit,
        count(*) AS n_facts,
        f.report_id
    FROM facts AS f
    JOIN reports AS r USING (report_id)
    GROUP BY f.report_id, r.region_code, r.kind, r.report_year, f.code, coalesce(f.scope, '')
),
with_previous AS (
    SELECT
        *,
        lag(report_year) OVER series AS previous_year_loaded,
        lag(value) OVER series AS previous_value_loaded
    FROM per_year
    WINDOW series AS (PARTITION BY region_code, kind, code, scope_key ORDER BY report_year)
)
SELECT
    w.region_code,
    g.name AS region_name,
    w.kind,
    w.code,
    w.scope,
    w.report_year,
    w.value,
    w.unit,
    CASE WHEN w.previous_year_loaded = w.report_year - 1 THEN w.previous_value_loaded END AS previous_value,
    w.value - previous_value AS change,
    CASE WHEN previous_value <> 0 THEN round(100 * (w.value - previous_value) / abs(previous_value), 2) END
        AS change_pct,
    w.n_facts,
    w.report_id
FROM with_previous AS w
LEFT JOIN region_names AS g ON g.code = w.region_code;

CREATE VIEW coverage AS
WITH spans AS (
    SELECT region_code, min(report_year) AS first_year, max(report_year) AS last_year
    FROM reports
    GROUP BY region_code
),
kinds AS (SELECT DISTINCT kind FROM reports),
fact_counts AS (SELECT report_id, count(*) AS n_facts FROM facts GROUP BY report_id)
SELECT
    s.region_code,
    g.name AS region_name,
    y.report_year,
    k.kind,
    r.report_id IS NOT NULL AS loaded,
    r.report_id,
    r.published_at,
    coalesce(c.n_facts, 0) AS n_facts
FROM spans AS s
CROSS JOIN LATERAL (SELECT range AS report_year FROM range(s.first_year, s.last_year + 1)) AS y
CROSS JOIN kinds AS k
LEFT JOIN reports AS r
    ON r.region_code = s.region_code AND r.kind = k.kind AND r.report_year = y.report_year
LEFT JOIN fact_counts AS c ON c.report_id = r.report_id
LEFT JOIN region_names AS g ON g.code = s.region_code
ORDER BY s.region_code, y.report_year, k.kind;

CREATE VIEW latest_reports AS
SELECT r.* EXCLUDE (body), g.name AS region_name
FROM reports AS r
LEFT JOIN region_names AS g ON g.code = r.region_code
QUALIFY row_number() OVER (PARTITION BY r.region_code, r.kind ORDER BY r.report_year DESC) = 1;

COMMENT ON VIEW region_names IS 'One row per region code with its current name (the row valid the latest), province and city.';
COMMENT ON VIEW indicator_values IS 'Every fact with its report (kind, year, title, published_at), region names and indicator name.';
COMMENT ON VIEW indicator_yoy IS 'Per region, kind, code and scope: a year''s value (max when a report states several), the previous year''s value and the absolute and percent change; previous_value is NULL when the previous year is not loaded (never the value from two years earlier).';
COMMENT ON VIEW coverage IS 'Region x year x kind, over each region''s first to last loaded year and every kind in the warehouse: loaded or not, the report_id and its number of facts.';
COMMENT ON VIEW latest_reports IS 'For each region and kind, the report of the latest report_year (without its body).';
