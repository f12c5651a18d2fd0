-- checklist schema 3: the follow-up (督办) register (SPEC.md → 督办 (follow-ups) in full).
--
-- One row per follow-up, under its target's court. The columns policies filter on are copies of
-- the record (checked). Who may see a row: whoever may see its target officer or its opener, a
-- chief of (or above) its court, a lead of the department it targets, an admin. Who may change what
-- is checked by a trigger: the target (an officer; a department's lead; a court's chief) replies,
-- the opener or someone above them closes or sends it back, and nobody changes whom it is aimed at.

CREATE TABLE checklist.follow_ups (
    court   text   NOT NULL,  -- the target's court ('' for none)
    id      text   NOT NULL,  -- F1, F2 …
    n       bigint NOT NULL,  -- the number in the id: the order follow-ups were opened in
    opener  text   NOT NULL,  -- the opener's officer id (or the owner's account)
    officer text,             -- the target officer (an item, an officer, a case); NULL for a department or court
    record  jsonb  NOT NULL,
    PRIMARY KEY (court, id),
    CONSTRAINT follow_up_columns_match CHECK (
        id = record->>'id' AND id = 'F' || n AND opener = record->>'by'
        AND court = coalesce(record->'target'->>'court', '')
        AND officer IS NOT DISTINCT FROM record->'target'->>'officer')
);
CREATE INDEX follow_ups_by_n ON checklist.follow_ups (n);
CREATE INDEX follow_ups_by_officer ON checklist.follow_ups (officer);

-- the courts whose follow-ups a chief sees: their court and the courts below it ('{}' for anyone else)
CREATE FUNCTION checklist.chief_courts() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT CASE WHEN checklist.my_level() = 2 THEN checklist.courts_under(checklist.court_of(checklist.me()))
                ELSE '{}' END
$$;

-- the department a lead answers for, as 'COURT/NAME' (NULL for anyone else)
CREATE FUNCTION checklist.led_department() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT CASE WHEN checklist.my_level() = 1 THEN
        (SELECT court || '/' || coalesce(record->>'department', '') FROM checklist.officers WHERE id = checklist.me())
    END
$$;

-- the number of the last follow-up opened, whatever the session may see (numbers are never reused)
CREATE FUNCTION checklist.last_follow_up() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT coalesce(max(n), 0) FROM checklist.follow_ups
$$;

-- whether the session user is above ``opener`` (or is them): who may close or send back
CREATE FUNCTION checklist.closes_for(opener text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    me_id text := checklist.me();
BEGIN
    IF checklist.is_owner() OR checklist.my_level() >= 3 OR opener = coalesce(me_id, session_user) THEN
        RETURN true;
    END IF;
    IF me_id IS NULL THEN
        RETURN false;
    END IF;
    RETURN opener = ANY (checklist.below(me_id))
        OR (checklist.my_level() = 2 AND EXISTS (SELECT 1 FROM checklist.officers WHERE id = opener)
            AND checklist.court_of(opener) = ANY (checklist.courts_under(checklist.court_of(me_id))));
END
$$;

-- whether the session user answers a follow-up aimed at this target
CREATE FUNCTION checklist.answers(f_court text, f_officer text, f_department text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    me_id text := checklist.me();
    mine jsonb;
BEGIN
    IF checklist.is_owner() THEN
        RETURN true;
    END IF;
    IF me_id IS NULL THEN
        RETURN false;
    END IF;
    IF f_officer IS NOT NULL THEN
        RETURN f_officer = me_id;
    END IF;
    SELECT record INTO mine FROM checklist.officers WHERE id = me_id;
    RETURN f_court = mine->>'court' AND (checklist.my_level() = 2
        OR (checklist.my_level() = 1 AND f_department IS NOT NULL AND f_department = mine->>'department'));
END
$$;

-- a follow-up keeps whom it is aimed at and who opened it; a reply comes from the target, a close or
-- return from the opener or someone above them, and a closed follow-up stays closed
CREATE FUNCTION checklist.follow_up_step() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    was text := OLD.record->>'state';
    now_state text := NEW.record->>'state';
    dept text := NEW.record->'target'->>'department';
BEGIN
    IF NEW.id <> OLD.id OR NEW.n <> OLD.n OR NEW.court <> OLD.court OR NEW.opener <> OLD.opener
       OR NEW.officer IS DISTINCT FROM OLD.officer OR NEW.record->'target' <> OLD.record->'target'
       OR NEW.record->>'opened_at' <> OLD.record->>'opened_at' THEN
        RAISE EXCEPTION 'follow-up % may not be aimed elsewhere or re-dated', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF was = 'closed' AND NEW.record <> OLD.record THEN
        RAISE EXCEPTION 'follow-up % is closed', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF now_state IN ('closed', 'returned') AND now_state <> was AND NOT checklist.closes_for(OLD.opener) THEN
        RAISE EXCEPTION 'only the opener of follow-up % or someone above them may close or return it', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF now_state = 'replied' AND jsonb_array_length(coalesce(NEW.record->'replies', '[]'))
            <> jsonb_array_length(coalesce(OLD.record->'replies', '[]'))
       AND NOT checklist.answers(NEW.court, NEW.officer, dept) THEN
        RAISE EXCEPTION 'only the target of follow-up % may reply to it', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER follow_up_step BEFORE UPDATE ON checklist.follow_ups
    FOR EACH ROW EXECUTE FUNCTION checklist.follow_up_step();

ALTER TABLE checklist.follow_ups ENABLE ROW LEVEL SECURITY;
-- seen by whoever sees its target officer or its opener, a chief of (or above) its court, the lead of
-- the department it targets, an admin; (SELECT f()) is evaluated once per statement
CREATE POLICY follow_ups_seen ON checklist.follow_ups FOR SELECT
    USING ((SELECT checklist.my_level()) >= 3
           OR officer = ANY ((SELECT checklist.visible())::text[]) OR opener = ANY ((SELECT checklist.visible())::text[])
           OR court = ANY ((SELECT checklist.chief_courts())::text[])
           OR (officer IS NULL AND record->'target'->>'id' = (SELECT checklist.led_department())));
-- an opener opens in their own name, on people below them or in the courts they manage
CREATE POLICY follow_ups_opened ON checklist.follow_ups FOR INSERT
    WITH CHECK ((SELECT checklist.is_owner()) OR (SELECT checklist.my_level()) >= 3
                OR (opener = (SELECT checklist.me()) AND (SELECT checklist.my_level()) >= 1
                    AND (officer = ANY (checklist.below(opener)) OR court = ANY ((SELECT checklist.managed())::text[]))));
CREATE POLICY follow_ups_changed ON checklist.follow_ups FOR UPDATE
    USING ((SELECT checklist.my_level()) >= 3
           OR officer = ANY ((SELECT checklist.visible())::text[]) OR opener = ANY ((SELECT checklist.visible())::text[])
           OR court = ANY ((SELECT checklist.chief_courts())::text[])
           OR (officer IS NULL AND record->'target'->>'id' = (SELECT checklist.led_department())));

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA checklist FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'checklist_member') THEN
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA checklist TO checklist_member;
        GRANT SELECT, INSERT, UPDATE ON checklist.follow_ups TO checklist_member;
    END IF;
END
$$;

-- an entry about a department's or court's follow-up names no officer: it may be written by whoever
-- may see that follow-up (the step itself was checked above), in their own name
DROP POLICY history_added ON checklist.history;
CREATE POLICY history_added ON checklist.history FOR INSERT
    WITH CHECK ((SELECT checklist.is_owner()) OR (line::jsonb)->>'actor' = (SELECT checklist.me())
                AND (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[])
                     OR (officer IS NULL AND (SELECT checklist.manages_all()))
                     OR (officer IS NULL AND (line::jsonb)->>'follow_up' IN (SELECT id FROM checklist.follow_ups))));
