-- checklist schema 6: the history's order is checked once per statement, not once per entry.
--
-- Schema 2 checked each appended entry with a row trigger: parse the line, look up the chain's
-- last seq, look up the officer's court — tens of microseconds an entry, seconds for a status
-- import of 100,000 rows. The same rules, checked over everything one statement appended: the
-- entries follow the last one with no gap and nothing after them, each line says the seq and
-- officer its columns say, and each sits under its officer's court ('' for an entry about no one).

DROP TRIGGER entry_in_order ON checklist.history;
DROP FUNCTION checklist.entry_in_order();

CREATE FUNCTION checklist.entries_in_order() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    first_seq bigint;
    last_seq bigint;
    n bigint;
    wrong bigint;
BEGIN
    SELECT min(seq), max(seq), count(*) INTO first_seq, last_seq, n FROM added;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF last_seq - first_seq + 1 <> n
       OR (SELECT count(*) FROM checklist.history WHERE seq >= first_seq) <> n  -- no repeat, nothing after
       OR first_seq <> coalesce((SELECT max(seq) FROM checklist.history WHERE seq < first_seq), 0) + 1 THEN
        RAISE EXCEPTION 'history entry % is out of order or does not match its columns', first_seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT a.seq INTO wrong
    FROM added AS a
    CROSS JOIN LATERAL json_to_record(a.line::json) AS said(seq bigint, officer text)
    LEFT JOIN checklist.officers AS o ON o.id = a.officer
    WHERE said.seq IS DISTINCT FROM a.seq OR said.officer IS DISTINCT FROM a.officer
       OR a.court <> coalesce(o.court, '')
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'history entry % is out of order or does not match its columns', wrong
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER entries_in_order AFTER INSERT ON checklist.history
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION checklist.entries_in_order();
