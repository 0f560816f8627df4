-- A report's warnings as the transform gave them, kept with the report: above all a --region/--kind/--year
-- hint (or manifest column) that the page itself contradicts, where the page's own value was kept, or a
-- region the page names that overrides the hint. `nianbao extract` prints them; `nianbao load` prints them
-- and, from this migration on, the warehouse keeps them, so an analyst can find such reports later:
--   SELECT report_id, input, unnest(warnings) FROM reports WHERE len(warnings) > 0;
-- Reports loaded before this migration have NULL (their warnings were not kept); an empty list means none.

ALTER TABLE reports ADD COLUMN IF NOT EXISTS warnings VARCHAR[];

COMMENT ON COLUMN reports.warnings IS 'The transform''s warnings about this report (e.g. a hint the page contradicts, and which value was kept); empty when none, NULL when loaded before schema 8.';

-- latest_reports lists the reports' columns (r.*): it is made again to show warnings, with its comments.
CREATE OR REPLACE VIEW latest_reports AS
SELECT r.* EXCLUDE (body), g.name AS region_name
FROM reports AS r
LEFT JOIN region_names AS g ON g.code = r.region_code
QUALIFY row_number() OVER (PARTITION BY r.region_code, r.kind ORDER BY r.report_year DESC) = 1;

COMMENT ON VIEW latest_reports IS 'For each region and kind, the report of the latest report_year (without its body).';
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
COMMENT ON COLUMN latest_reports.warnings IS 'The transform''s warnings about the report (reports.warnings).';
