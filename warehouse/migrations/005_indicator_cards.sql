-- The indicator card in the warehouse: each code's one-line definition and its near neighbours (what a
-- similar phrase counts instead), from config/indicators.yaml, so the explorer and SQL users read the same
-- definition the catalog tests check.

ALTER TABLE indicators ADD COLUMN definition VARCHAR;
ALTER TABLE indicators ADD COLUMN neighbours VARCHAR;

COMMENT ON COLUMN indicators.definition IS 'One-line definition of what the indicator counts (config/indicators.yaml).';
COMMENT ON COLUMN indicators.neighbours IS 'Near codes and why a similar phrase belongs there instead: "code: why; …".';

-- Reference tables are reloaded on the next open, now with the cards.
DELETE FROM warehouse_meta WHERE key = 'reference_version';
