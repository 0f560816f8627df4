-- The warehouse tables. A report's identity is (region_code, kind, report_year); report_id spells it out.
-- Facts, quantities and sections have no key of their own (a PRIMARY KEY makes bulk inserts ~35x slower):
-- the loader replaces a report's rows as a whole inside one transaction.

CREATE TABLE warehouse_meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE TABLE regions (
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    level VARCHAR,
    parent_code VARCHAR,
    province VARCHAR,
    city VARCHAR,
    valid_from INTEGER,
    valid_to INTEGER
);

CREATE TABLE indicators (
    code VARCHAR PRIMARY KEY,
    name_zh VARCHAR,
    name_en VARCHAR,
    unit VARCHAR,
    family VARCHAR,
    domain VARCHAR,
    rule_count INTEGER
);

CREATE TABLE reports (
    report_id VARCHAR PRIMARY KEY,
    region_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    report_year INTEGER NOT NULL,
    title VARCHAR,
    issuer VARCHAR,
    published_at VARCHAR,
    source VARCHAR,
    doc_number VARCHAR,
    url VARCHAR,
    input VARCHAR NOT NULL,
    content_sha256 VARCHAR NOT NULL,
    body VARCHAR,
    extractor_version VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    UNIQUE (region_code, kind, report_year)
);

CREATE TABLE sections (
    report_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    level TINYINT,
    number VARCHAR,
    title VARCHAR,
    "start" INTEGER
);

CREATE TABLE quantities (
    report_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    text VARCHAR,
    value DOUBLE,
    value_high DOUBLE,
    unit VARCHAR,
    qualifier VARCHAR,
    "start" INTEGER,
    "end" INTEGER,
    sentence VARCHAR
);

CREATE TABLE facts (
    report_id VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    value DOUBLE,
    value_high DOUBLE,
    unit VARCHAR,
    qualifier VARCHAR,
    scope VARCHAR,
    evidence VARCHAR
);

CREATE TABLE rejects (
    input VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    "when" TIMESTAMP NOT NULL,
    PRIMARY KEY (input, stage, reason)
);

COMMENT ON TABLE regions IS 'Administrative divisions (6-digit codes) with validity years, so renamed units stay joinable.';
COMMENT ON TABLE indicators IS 'The indicator catalog (config/indicators.yaml): code, names, unit and unit family, domain, number of rules.';
COMMENT ON TABLE reports IS 'One row per report identity (region_code, kind, report_year); report_id = region_code:kind:report_year.';
COMMENT ON TABLE sections IS 'Section headings of each report (level 1 一、, 2 (一), 3 一是), in order.';
COMMENT ON TABLE quantities IS 'Every number with a measure word, currency or percent in a report body, normalised.';
COMMENT ON TABLE facts IS 'Quantities mapped to indicator codes (one report can give several values for a code, by scope).';
COMMENT ON TABLE rejects IS 'Inputs that could not be loaded: stage (read, extract, identity, duplicate, fetch, discover) and reason.';
COMMENT ON COLUMN rejects."when" IS 'When the reject was first recorded (quote the column name: "when").';
