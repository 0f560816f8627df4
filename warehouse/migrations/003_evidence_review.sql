-- Numbers you can trace and question: every fact keeps its sentence and character offsets; indicator_values
-- picks one value per report, code and scope by a stated rule and says how many there were; `review` lists
-- what an analyst should check, each row with its evidence. Every table, view and column gets a comment.

ALTER TABLE facts ADD COLUMN "start" INTEGER;
ALTER TABLE facts ADD COLUMN "end" INTEGER;
ALTER TABLE facts ADD COLUMN sentence VARCHAR;

CREATE TABLE unit_families (
    family VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    PRIMARY KEY (family, unit)
);

-- Reference tables (regions, indicators, unit_families) are reloaded on the next open.
DELETE FROM warehouse_meta WHERE key = 'reference_version';

CREATE TABLE table_checks (
    report_id VARCHAR NOT NULL,
    check_name VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    sentence VARCHAR
);

DROP VIEW IF EXISTS indicator_yoy;
DROP VIEW IF EXISTS indicator_values;

CREATE VIEW fact_details AS
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
    i.family,
    f.value,
    f.value_high,
    f.unit,
    f.qualifier,
    f.scope,
    f.evidence,
    f.sentence,
    f."start",
    f."end",
    r.title,
    r.published_at,
    r.url
FROM facts AS f
JOIN reports AS r USING (report_id)
LEFT JOIN region_names AS g ON g.code = r.region_code
LEFT JOIN indicators AS i ON i.code = f.code;

CREATE VIEW indicator_values AS
WITH stated AS (
    SELECT
        report_id,
        code,
        coalesce(scope, '') AS scope_key,
        count(*) AS n_values,
        list(value ORDER BY "start" NULLS LAST, value) AS values_stated
    FROM facts
    GROUP BY report_id, code, coalesce(scope, '')
),
picked AS (
    SELECT *
    FROM fact_details
    QUALIFY row_number() OVER (
        PARTITION BY report_id, code, coalesce(scope, '')
        ORDER BY value DESC NULLS LAST, "start" NULLS LAST, evidence
    ) = 1
)
SELECT
    p.report_id, p.region_code, p.region_name, p.province, p.city, p.kind, p.report_year, p.code,
    p.indicator_name, p.value, p.value_high, p.unit, p.qualifier, p.scope,
    s.n_values, s.values_stated,
    'largest of the values the report states for this code and scope (a total is at least any of its parts); ties: the first stated' AS pick_rule,
    p.evidence, p.sentence, p."start", p."end", p.title, p.published_at, p.url
FROM picked AS p
JOIN stated AS s ON s.report_id = p.report_id AND s.code = p.code AND s.scope_key = coalesce(p.scope, '');

CREATE VIEW indicator_yoy AS
WITH with_previous AS (
    SELECT
        *,
        lag(report_year) OVER series AS previous_year_loaded,
        lag(value) OVER series AS previous_value_loaded
    FROM indicator_values
    WINDOW series AS (PARTITION BY region_code, kind, code, coalesce(scope, '') ORDER BY report_year)
)
SELECT
    region_code,
    region_name,
    kind,
    code,
    indicator_name,
    scope,
    report_year,
    value,
    unit,
    CASE WHEN previous_year_loaded = report_year - 1 THEN previous_value_loaded END AS previous_value,
    value - previous_value AS change,
    CASE WHEN previous_value <> 0 THEN round(100 * (value - previous_value) / abs(previous_value), 2) END
        AS change_pct,
    n_values,
    report_id
FROM with_previous;

CREATE VIEW review AS
SELECT
    'unit_outside_family' AS check_name,
    d.report_id, d.region_code, d.region_name, d.kind, d.report_year, d.code, d.indicator_name, d.scope,
    d.value, d.unit,
    'unit ' || coalesce(d.unit, 'NULL') || ' is not in the ' || coalesce(d.family, '?')
        || ' family that ' || d.code || ' counts in' AS detail,
    d.sentence, d.evidence, d.title, d.published_at, d.url
FROM fact_details AS d
WHERE d.family IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM unit_families AS u WHERE u.family = d.family AND u.unit = d.unit)
UNION ALL
SELECT
    'jump_x10',
    y.report_id, y.region_code, y.region_name, y.kind, y.report_year, y.code, y.indicator_name, y.scope,
    y.value, y.unit,
    printf('%g in %d against %g in %d (x%.4g): a scale word misread (万元 read as 元)?', y.value,
           y.report_year, y.previous_value, y.report_year - 1, y.value / y.previous_value),
    v.sentence, v.evidence, v.title, v.published_at, v.url
FROM indicator_yoy AS y
JOIN indicator_values AS v
    ON v.report_id = y.report_id AND v.code = y.code AND coalesce(v.scope, '') = coalesce(y.scope, '')
WHERE y.previous_value > 0 AND y.value > 0
  AND (y.value / y.previous_value >= 10 OR y.previous_value / y.value >= 10)
UNION ALL
SELECT
    'conflicting_values',
    v.report_id, v.region_code, v.region_name, v.kind, v.report_year, v.code, v.indicator_name, v.scope,
    v.value, v.unit,
    printf('%d different values stated for one code and scope: %s; indicator_values keeps the largest',
           len(list_distinct(v.values_stated)),
           (SELECT string_agg(printf('%g', x), ', ') FROM unnest(v.values_stated) AS stated(x))),
    v.sentence, v.evidence, v.title, v.published_at, v.url
FROM indicator_values AS v
WHERE len(list_distinct(v.values_stated)) > 1
UNION ALL
SELECT
    t.check_name,
    t.report_id, r.region_code, g.name, r.kind, r.report_year, NULL, NULL, NULL,
    NULL, NULL,
    t.detail,
    t.sentence, NULL, r.title, r.published_at, r.url
FROM table_checks AS t
JOIN reports AS r USING (report_id)
LEFT JOIN region_names AS g ON g.code = r.region_code;

COMMENT ON TABLE unit_families IS 'Unit families of config/units.yaml: the measure words that count as the same unit (cases: 件 起 宗 …).';
COMMENT ON TABLE table_checks IS 'Checks of 信息公开 tables whose rows do not add up to their totals, one row per failed check; written by the disclosure-table reader (issue 11), empty until it exists.';
COMMENT ON TABLE warehouse_meta IS 'Key-value notes the warehouse keeps about itself (reference_version: the rules digest regions and indicators were loaded with).';
COMMENT ON TABLE schema_version IS 'Migrations applied to this file, one row each.';
COMMENT ON VIEW fact_details IS 'Every fact (all values, none picked) with its report, region, indicator name and unit family, sentence and offsets.';
COMMENT ON VIEW indicator_values IS 'One value per report, code and scope, picked by pick_rule (the largest stated; ties: the first stated); n_values says how many facts the report gave, values_stated lists them in text order; with the evidence sentence, offsets, title, date and URL.';
COMMENT ON VIEW indicator_yoy IS 'Per region, kind, code and scope: a year''s value (from indicator_values), the previous year''s value and the absolute and percent change; previous_value is NULL when the previous year is not loaded (never the value from two years earlier).';
COMMENT ON VIEW review IS 'Values an analyst should check, each with its evidence: unit_outside_family, jump_x10 (x10 or more year over year), conflicting_values (a report gives several values for one code and scope), and the 信息公开 table checks of table_checks.';

COMMENT ON COLUMN warehouse_meta.key IS 'Name of the note.';
COMMENT ON COLUMN warehouse_meta.value IS 'Its value.';
COMMENT ON COLUMN schema_version.version IS 'Migration number (the NNN of warehouse/migrations/NNN_name.sql).';
COMMENT ON COLUMN schema_version.name IS 'Migration name.';
COMMENT ON COLUMN schema_version.applied_at IS 'When it was applied to this file.';

COMMENT ON COLUMN regions.code IS '6-digit administrative division code.';
COMMENT ON COLUMN regions.name IS 'Name of the division (a renamed unit has one row per name).';
COMMENT ON COLUMN regions.level IS 'province, city or county.';
COMMENT ON COLUMN regions.parent_code IS 'Code of the division above it.';
COMMENT ON COLUMN regions.province IS 'Name of its province.';
COMMENT ON COLUMN regions.city IS 'Name of its prefecture-level city.';
COMMENT ON COLUMN regions.valid_from IS 'First year the name was in use (NULL: unknown or always).';
COMMENT ON COLUMN regions.valid_to IS 'Last year the name was in use (NULL: still in use).';

COMMENT ON COLUMN indicators.code IS 'Indicator code, domain.measure.';
COMMENT ON COLUMN indicators.name_zh IS '中文名 of the indicator.';
COMMENT ON COLUMN indicators.name_en IS 'English name: what the indicator counts.';
COMMENT ON COLUMN indicators.unit IS 'Unit values are stored in (元 for money, % for percentages).';
COMMENT ON COLUMN indicators.family IS 'Unit family (unit_families): any measure word of it is the same indicator.';
COMMENT ON COLUMN indicators.domain IS 'Domain, the part of the code before the dot.';
COMMENT ON COLUMN indicators.rule_count IS 'Number of matching rules in config/indicators.yaml.';

COMMENT ON COLUMN unit_families.family IS 'Family name (cases, people, items, …).';
COMMENT ON COLUMN unit_families.unit IS 'A measure word of the family.';

COMMENT ON COLUMN reports.report_id IS 'region_code:kind:report_year.';
COMMENT ON COLUMN reports.region_code IS '6-digit code of the region the report is about.';
COMMENT ON COLUMN reports.kind IS 'Report kind (config/kinds.yaml), e.g. law_based_government_annual_report.';
COMMENT ON COLUMN reports.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN reports.title IS 'Report title.';
COMMENT ON COLUMN reports.issuer IS 'Issuing body.';
COMMENT ON COLUMN reports.published_at IS 'Publication date, ISO 8601 (with the time when the page gives one).';
COMMENT ON COLUMN reports.source IS 'Source line of the page (来源).';
COMMENT ON COLUMN reports.doc_number IS 'Document number (文号).';
COMMENT ON COLUMN reports.url IS 'URL the page was fetched from (NULL for local files).';
COMMENT ON COLUMN reports.input IS 'The file or archive entry it was loaded from.';
COMMENT ON COLUMN reports.content_sha256 IS 'sha256 of the input bytes: unchanged content is skipped.';
COMMENT ON COLUMN reports.body IS 'Report text without site chrome; facts and quantities index it by character.';
COMMENT ON COLUMN reports.extractor_version IS 'Code and rules digest that extracted it; a change makes reprocess redo it.';
COMMENT ON COLUMN reports.loaded_at IS 'When it was written.';

COMMENT ON COLUMN sections.report_id IS 'The report.';
COMMENT ON COLUMN sections.ordinal IS 'Position among the report''s headings, from 0.';
COMMENT ON COLUMN sections.level IS '1 一、, 2 (一), 3 一是.';
COMMENT ON COLUMN sections.number IS 'Heading number as printed.';
COMMENT ON COLUMN sections.title IS 'Heading text.';
COMMENT ON COLUMN sections."start" IS 'Character offset of the heading in reports.body.';

COMMENT ON COLUMN quantities.report_id IS 'The report.';
COMMENT ON COLUMN quantities.ordinal IS 'Position among the report''s quantities, from 0.';
COMMENT ON COLUMN quantities.text IS 'The number and unit as printed.';
COMMENT ON COLUMN quantities.value IS 'Value in the canonical unit (money in 元).';
COMMENT ON COLUMN quantities.value_high IS 'Upper end of a range (3至5件), else NULL.';
COMMENT ON COLUMN quantities.unit IS 'Canonical unit.';
COMMENT ON COLUMN quantities.qualifier IS 'Hedge: more_than, about, less_than or NULL.';
COMMENT ON COLUMN quantities."start" IS 'Character offset in reports.body where the text starts.';
COMMENT ON COLUMN quantities."end" IS 'Character offset in reports.body where the text ends (exclusive).';
COMMENT ON COLUMN quantities.sentence IS 'The sentence holding it.';

COMMENT ON COLUMN facts.report_id IS 'The report.';
COMMENT ON COLUMN facts.code IS 'Indicator code (indicators.code).';
COMMENT ON COLUMN facts.value IS 'Value in the indicator''s unit (0 for a value stated in words).';
COMMENT ON COLUMN facts.value_high IS 'Upper end of a range, else NULL.';
COMMENT ON COLUMN facts.unit IS 'Unit as read (a measure word of the indicator''s family).';
COMMENT ON COLUMN facts.qualifier IS 'Hedge: more_than, about, less_than or NULL.';
COMMENT ON COLUMN facts.scope IS 'Sub-population when a report gives the code several values (村, 乡镇, …), else NULL.';
COMMENT ON COLUMN facts.evidence IS 'The clause the value was read from.';
COMMENT ON COLUMN facts."start" IS 'Character offset in reports.body where the value''s text starts (NULL: loaded before offsets were kept).';
COMMENT ON COLUMN facts."end" IS 'Character offset in reports.body where the value''s text ends (exclusive).';
COMMENT ON COLUMN facts.sentence IS 'The whole sentence the value was read from.';

COMMENT ON COLUMN rejects.input IS 'File path or URL that could not be loaded.';
COMMENT ON COLUMN rejects.stage IS 'read, extract, identity, duplicate, fetch or discover.';
COMMENT ON COLUMN rejects.reason IS 'Why, in one line.';

COMMENT ON COLUMN table_checks.report_id IS 'The 信息公开 report whose table failed the check.';
COMMENT ON COLUMN table_checks.check_name IS 'Name of the check (e.g. a total that is not the sum of its rows).';
COMMENT ON COLUMN table_checks.detail IS 'What does not add up, with the figures.';
COMMENT ON COLUMN table_checks.sentence IS 'The table row or text the check read.';


COMMENT ON COLUMN coverage.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN coverage.region_name IS 'Current name of the region (region_names).';
COMMENT ON COLUMN coverage.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN coverage.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN coverage.loaded IS 'Whether a report of this region, year and kind is in the warehouse.';
COMMENT ON COLUMN coverage.report_id IS 'The report, NULL when not loaded.';
COMMENT ON COLUMN coverage.published_at IS 'Publication date, NULL when not loaded.';
COMMENT ON COLUMN coverage.n_facts IS 'Number of facts of the report (0 when not loaded).';

COMMENT ON COLUMN fact_details.report_id IS 'The report: region_code:kind:report_year.';
COMMENT ON COLUMN fact_details.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN fact_details.region_name IS 'Current name of the region (region_names).';
COMMENT ON COLUMN fact_details.province IS 'Name of the region''s province.';
COMMENT ON COLUMN fact_details.city IS 'Name of the region''s prefecture-level city.';
COMMENT ON COLUMN fact_details.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN fact_details.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN fact_details.code IS 'Indicator code.';
COMMENT ON COLUMN fact_details.indicator_name IS '中文名 of the indicator (indicators.name_zh).';
COMMENT ON COLUMN fact_details.family IS 'Unit family of the indicator (unit_families).';
COMMENT ON COLUMN fact_details.value IS 'Value in the indicator''s unit.';
COMMENT ON COLUMN fact_details.value_high IS 'Upper end of a range, else NULL.';
COMMENT ON COLUMN fact_details.unit IS 'Unit as read.';
COMMENT ON COLUMN fact_details.qualifier IS 'Hedge: more_than, about, less_than or NULL.';
COMMENT ON COLUMN fact_details.scope IS 'Sub-population when a report gives the code several values, else NULL.';
COMMENT ON COLUMN fact_details.evidence IS 'The clause the value was read from.';
COMMENT ON COLUMN fact_details.sentence IS 'The whole sentence the value was read from.';
COMMENT ON COLUMN fact_details."start" IS 'Character offset in reports.body where the value''s text starts.';
COMMENT ON COLUMN fact_details."end" IS 'Character offset in reports.body where the value''s text ends (exclusive).';
COMMENT ON COLUMN fact_details.title IS 'Report title.';
COMMENT ON COLUMN fact_details.published_at IS 'Publication date of the report, ISO 8601.';
COMMENT ON COLUMN fact_details.url IS 'URL the report was fetched from (NULL for local files).';

COMMENT ON COLUMN indicator_values.report_id IS 'The report: region_code:kind:report_year.';
COMMENT ON COLUMN indicator_values.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN indicator_values.region_name IS 'Current name of the region (region_names).';
COMMENT ON COLUMN indicator_values.province IS 'Name of the region''s province.';
COMMENT ON COLUMN indicator_values.city IS 'Name of the region''s prefecture-level city.';
COMMENT ON COLUMN indicator_values.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN indicator_values.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN indicator_values.code IS 'Indicator code.';
COMMENT ON COLUMN indicator_values.indicator_name IS '中文名 of the indicator (indicators.name_zh).';
COMMENT ON COLUMN indicator_values.value IS 'The picked value (see pick_rule).';
COMMENT ON COLUMN indicator_values.value_high IS 'Upper end of a range, else NULL.';
COMMENT ON COLUMN indicator_values.unit IS 'Unit as read.';
COMMENT ON COLUMN indicator_values.qualifier IS 'Hedge: more_than, about, less_than or NULL.';
COMMENT ON COLUMN indicator_values.scope IS 'Sub-population when a report gives the code several values, else NULL.';
COMMENT ON COLUMN indicator_values.n_values IS 'How many facts the report gives for this code and scope.';
COMMENT ON COLUMN indicator_values.values_stated IS 'Every value the report gives for this code and scope, in text order.';
COMMENT ON COLUMN indicator_values.pick_rule IS 'The rule that picked value among values_stated.';
COMMENT ON COLUMN indicator_values.evidence IS 'The clause the value was read from.';
COMMENT ON COLUMN indicator_values.sentence IS 'The whole sentence the value was read from.';
COMMENT ON COLUMN indicator_values."start" IS 'Character offset in reports.body where the value''s text starts.';
COMMENT ON COLUMN indicator_values."end" IS 'Character offset in reports.body where the value''s text ends (exclusive).';
COMMENT ON COLUMN indicator_values.title IS 'Report title.';
COMMENT ON COLUMN indicator_values.published_at IS 'Publication date of the report, ISO 8601.';
COMMENT ON COLUMN indicator_values.url IS 'URL the report was fetched from (NULL for local files).';

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

COMMENT ON COLUMN latest_reports.report_id IS 'The report: region_code:kind:report_year.';
COMMENT ON COLUMN latest_reports.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN latest_reports.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN latest_reports.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN latest_reports.title IS 'Report title.';
COMMENT ON COLUMN latest_reports.issuer IS 'Issuing body.';
COMMENT ON COLUMN latest_reports.published_at IS 'Publication date of the report, ISO 8601.';
COMMENT ON COLUMN latest_reports.source IS 'Source line of the page (来源).';
COMMENT ON COLUMN latest_reports.doc_number IS 'Document number (文号).';
COMMENT ON COLUMN latest_reports.url IS 'URL the report was fetched from (NULL for local files).';
COMMENT ON COLUMN latest_reports.input IS 'The file or archive entry it was loaded from.';
COMMENT ON COLUMN latest_reports.content_sha256 IS 'sha256 of the input bytes.';
COMMENT ON COLUMN latest_reports.extractor_version IS 'Code and rules digest that extracted it.';
COMMENT ON COLUMN latest_reports.loaded_at IS 'When it was written.';
COMMENT ON COLUMN latest_reports.region_name IS 'Current name of the region (region_names).';

COMMENT ON COLUMN region_names.code IS '6-digit code of the region.';
COMMENT ON COLUMN region_names.name IS 'Its current name (the row valid the latest).';
COMMENT ON COLUMN region_names.level IS 'province, city or county.';
COMMENT ON COLUMN region_names.province IS 'Name of its province.';
COMMENT ON COLUMN region_names.city IS 'Name of its prefecture-level city.';

COMMENT ON COLUMN review.check_name IS 'unit_outside_family, jump_x10, conflicting_values, or a table_checks check.';
COMMENT ON COLUMN review.report_id IS 'The report: region_code:kind:report_year.';
COMMENT ON COLUMN review.region_code IS '6-digit code of the region.';
COMMENT ON COLUMN review.region_name IS 'Current name of the region (region_names).';
COMMENT ON COLUMN review.kind IS 'Report kind (config/kinds.yaml).';
COMMENT ON COLUMN review.report_year IS 'The year whose work the report reviews.';
COMMENT ON COLUMN review.code IS 'Indicator code.';
COMMENT ON COLUMN review.indicator_name IS '中文名 of the indicator (indicators.name_zh).';
COMMENT ON COLUMN review.scope IS 'Sub-population when a report gives the code several values, else NULL.';
COMMENT ON COLUMN review.value IS 'The value to check (NULL for table checks).';
COMMENT ON COLUMN review.unit IS 'Unit as read.';
COMMENT ON COLUMN review.detail IS 'What looks wrong, with the figures.';
COMMENT ON COLUMN review.sentence IS 'The sentence to read to decide.';
COMMENT ON COLUMN review.evidence IS 'The clause the value was read from.';
COMMENT ON COLUMN review.title IS 'Report title.';
COMMENT ON COLUMN review.published_at IS 'Publication date of the report, ISO 8601.';
COMMENT ON COLUMN review.url IS 'URL the report was fetched from (NULL for local files).';
