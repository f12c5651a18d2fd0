-- checklist schema 4: the imported cases (SPEC.md → Cases and statutory clocks).
--
-- One row per case under the court that handles it (its officer's court), the whole record as JSON
-- and its officer as a column (checked). Each person reads the cases of the people they may see;
-- cases come in through imports, by a chief for their courts or an admin.

CREATE TABLE checklist.cases (
    court   text  NOT NULL,
    number  text  NOT NULL,  -- the 案号, normalised (half-width brackets, no spaces)
    officer text  NOT NULL,
    record  jsonb NOT NULL,
    PRIMARY KEY (court, number),
    CONSTRAINT case_columns_match CHECK (
        number = record->>'number' AND officer = record->>'officer' AND court = coalesce(record->>'court', '')),
    CONSTRAINT case_shape CHECK (
        (record->>'filed') ~ '^\d{4}-\d{2}-\d{2}$'
        AND jsonb_typeof(coalesce(record->'paused', '[]')) = 'array'
        AND jsonb_typeof(coalesce(record->'seized', '[]')) = 'array'
        AND jsonb_typeof(coalesce(record->'seal_expires', '[]')) = 'array'
        AND jsonb_typeof(coalesce(record->'funds_received', '[]')) = 'array')
);
CREATE UNIQUE INDEX cases_one_number ON checklist.cases (number);  -- on Citus: dropped, see docs/scale-out.md
CREATE INDEX cases_by_officer ON checklist.cases (officer);

ALTER TABLE checklist.cases ENABLE ROW LEVEL SECURITY;
CREATE POLICY cases_seen ON checklist.cases FOR SELECT
    USING ((SELECT checklist.my_level()) >= 3 OR officer = ANY ((SELECT checklist.visible())::text[]));
CREATE POLICY cases_added ON checklist.cases FOR INSERT
    WITH CHECK (court = ANY ((SELECT checklist.managed())::text[]) AND court = checklist.court_of(officer));
CREATE POLICY cases_changed ON checklist.cases FOR UPDATE
    USING (court = ANY ((SELECT checklist.managed())::text[]))
    WITH CHECK (court = ANY ((SELECT checklist.managed())::text[]) AND court = checklist.court_of(officer));
CREATE POLICY cases_moved ON checklist.cases FOR DELETE
    USING (court = ANY ((SELECT checklist.managed())::text[]));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'checklist_member') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON checklist.cases TO checklist_member;
    END IF;
END
$$;
