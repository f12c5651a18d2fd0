-- checklist schema 3: the follow-up (督办) register (SPEC.md → 督办 (follow-ups) in full).
--
-- One row per follow-up, under its target's court. The columns policies filter on are copies of
-- the record (checked). Who may see a row: whoever may see its target officer or its opener, or
-- one of the people who answer it (a department's lead, a court's chief); an admin. What may
-- change is checked by triggers, for everyone but the database's owner: a follow-up is opened
-- open, in the opener's own name, with the next number; after that each change is one legal step —
-- the target replies, the opener or someone above them sends it back or closes it, a late one
-- climbs — adding one step in the acting person's name and leaving everything else as it was.

CREATE TABLE checklist.follow_ups (
    court   text   NOT NULL,  -- the target's court ('' for none)
    id      text   NOT NULL,  -- F1, F2 …
    n       bigint NOT NULL,  -- the number in the id: the order follow-ups were opened in
    opener  text   NOT NULL,  -- the opener's officer id (or the owner's account)
    officer text,             -- the target officer (an item, an officer, a case); NULL for a department or court
    record  jsonb  NOT NULL,
    PRIMARY KEY (court, id),
    CONSTRAINT follow_up_columns_match CHECK (
        id = record->>'id' AND id = 'F' || n AND n > 0 AND opener = record->>'by'
        AND court = coalesce(record->'target'->>'court', '')
        AND officer IS NOT DISTINCT FROM record->'target'->>'officer'),
    -- the fields every command reads, of the types it reads them as
    CONSTRAINT follow_up_shape CHECK (
        record->'target'->>'kind' IN ('item', 'officer', 'dept', 'court', 'case')
        AND jsonb_typeof(record->'target'->'id') = 'string'
        AND jsonb_typeof(record->'note') = 'string' AND jsonb_typeof(record->'opened_at') = 'string'
        AND (record->>'reply_due') ~ '^\d{4}-\d{2}-\d{2}$'
        AND record->>'state' IN ('open', 'replied', 'returned', 'closed')
        AND jsonb_typeof(coalesce(record->'replies', '[]')) = 'array'
        AND jsonb_typeof(coalesce(record->'returns', '[]')) = 'array'
        AND jsonb_typeof(coalesce(record->'escalations', '[]')) = 'array')
);
-- one number, one follow-up (on Citus this index goes: see docs/scale-out.md)
CREATE UNIQUE INDEX follow_ups_one_number ON checklist.follow_ups (n);
CREATE INDEX follow_ups_by_officer ON checklist.follow_ups (officer);

-- the number of the last follow-up opened, whatever the session may see (numbers are never reused)
CREATE FUNCTION checklist.last_follow_up() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT coalesce(max(n), 0) FROM checklist.follow_ups
$$;

-- who answers a department's or a court's follow-up: the department's leads, else the court's
-- chiefs (a court: its chiefs) — as checklist.core.followups.answerers says
CREATE FUNCTION checklist.answerers(f_court text, f_department text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT coalesce(
        (SELECT array_agg(id) FROM checklist.officers
         WHERE f_department IS NOT NULL AND court = f_court AND record->>'department' = f_department
           AND checklist.level_of(record) = 1),
        (SELECT array_agg(id) FROM checklist.officers WHERE court = f_court AND checklist.level_of(record) = 2),
        '{}')
$$;

-- whether the session user answers a follow-up aimed at this target
CREATE FUNCTION checklist.answers(f_court text, f_officer text, f_department text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT CASE WHEN f_officer IS NOT NULL THEN f_officer = checklist.me()
                ELSE checklist.me() = ANY (checklist.answerers(f_court, f_department)) END
$$;

-- whether the session user may send back or close a follow-up ``opener`` opened: the opener, anyone
-- above them in the chain of leads, a chief of their court or above; an admin for an opener who is
-- not on the roster (the owner, someone who left) — as Access.may_close says
CREATE FUNCTION checklist.closes_for(opener text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    me_id text := checklist.me();
BEGIN
    IF me_id IS NULL THEN
        RETURN false;
    END IF;
    IF opener = me_id OR me_id = ANY (checklist.chain_above(opener)) THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM checklist.officers WHERE id = opener) THEN
        RETURN checklist.my_level() >= 3;
    END IF;
    RETURN checklist.my_level() = 2
        AND checklist.court_of(opener) = ANY (checklist.courts_under(checklist.court_of(me_id)));
END
$$;

-- the people above ``person`` in the chain of leads, nearest first
CREATE FUNCTION checklist.chain_above(person text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    WITH RECURSIVE up(id, depth) AS (
        SELECT record->>'lead', 1 FROM checklist.officers WHERE id = person AND coalesce(record->>'lead', '') <> ''
        UNION
        SELECT o.record->>'lead', up.depth + 1 FROM checklist.officers o JOIN up ON o.id = up.id
        WHERE coalesce(o.record->>'lead', '') <> '' AND up.depth < 64
    )
    SELECT coalesce(array_agg(id ORDER BY depth), '{}') FROM up
$$;

-- whether the session user may see a follow-up with these columns (the policy below, and the
-- history's entries about a department's or court's follow-up)
CREATE FUNCTION checklist.sees_follow_up(f_court text, f_officer text, f_opener text, f_department text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT checklist.my_level() >= 3
        OR f_officer = ANY (checklist.visible()) OR f_opener = ANY (checklist.visible())
        OR (f_officer IS NULL AND checklist.answerers(f_court, f_department) && checklist.visible())
$$;

-- a follow-up is opened open and empty, in the opener's own name, with the next number, on an officer
-- in their own court
CREATE FUNCTION checklist.follow_up_opened() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
BEGIN
    IF checklist.is_owner() THEN
        RETURN NEW;  -- the owner (db copy) may store a register as it is
    END IF;
    IF NEW.opener IS DISTINCT FROM checklist.me() OR NEW.record->>'state' <> 'open'
       OR jsonb_array_length(coalesce(NEW.record->'replies', '[]')) <> 0
       OR jsonb_array_length(coalesce(NEW.record->'returns', '[]')) <> 0
       OR jsonb_array_length(coalesce(NEW.record->'escalations', '[]')) <> 0
       OR NEW.record->>'closed_at' IS NOT NULL OR NEW.record->>'outcome' IS NOT NULL
       OR (NEW.officer IS NOT NULL AND NEW.court <> checklist.court_of(NEW.officer))
       OR NEW.n <> checklist.last_follow_up() + 1 THEN
        RAISE EXCEPTION 'follow-up % must be opened open, by its opener, with the next number', NEW.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER follow_up_opened BEFORE INSERT ON checklist.follow_ups
    FOR EACH ROW EXECUTE FUNCTION checklist.follow_up_opened();

-- ``new`` is ``old`` with one element added at the end, made by the session user
CREATE FUNCTION checklist.one_step_added(old jsonb, new jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT jsonb_array_length(coalesce(new, '[]')) = jsonb_array_length(coalesce(old, '[]')) + 1
       AND (coalesce(new, '[]') - (jsonb_array_length(new) - 1)) = coalesce(old, '[]')
$$;

-- each change is one legal step, by someone allowed to take it, touching only what that step changes
CREATE FUNCTION checklist.follow_up_step() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    was text := OLD.record->>'state';
    now_state text := NEW.record->>'state';
    dept text := OLD.record->'target'->>'department';
    me_id text := checklist.me();
    kept text[] := ARRAY['state', 'replies', 'returns', 'escalations', 'reply_due', 'closed_at', 'closed_by',
                         'closed_by_name', 'close_note', 'outcome'];
    answerer boolean;
    step text;
BEGIN
    IF checklist.is_owner() THEN
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id OR NEW.n <> OLD.n OR NEW.court <> OLD.court OR NEW.opener <> OLD.opener
       OR NEW.officer IS DISTINCT FROM OLD.officer OR (NEW.record - kept) <> (OLD.record - kept) THEN
        RAISE EXCEPTION 'follow-up % keeps its target, opener, note and dates', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF was = 'closed' THEN
        RAISE EXCEPTION 'follow-up % is closed', OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    answerer := checklist.answers(OLD.court, OLD.officer, dept);
    IF checklist.one_step_added(OLD.record->'replies', NEW.record->'replies') THEN
        step := 'reply';
    ELSIF checklist.one_step_added(OLD.record->'returns', NEW.record->'returns') THEN
        step := 'return';
    ELSIF checklist.one_step_added(OLD.record->'escalations', NEW.record->'escalations') THEN
        step := 'climb';
    ELSIF now_state = 'closed' THEN
        step := 'close';
    END IF;
    IF step IS NULL
       OR (step <> 'reply' AND NEW.record->'replies' IS DISTINCT FROM OLD.record->'replies')
       OR (step <> 'return' AND NEW.record->'returns' IS DISTINCT FROM OLD.record->'returns')
       OR (step <> 'climb' AND NEW.record->'escalations' IS DISTINCT FROM OLD.record->'escalations')
       OR (step NOT IN ('return') AND NEW.record->'reply_due' IS DISTINCT FROM OLD.record->'reply_due')
       OR (step <> 'close' AND (NEW.record - ARRAY['state', 'replies', 'returns', 'escalations', 'reply_due'])
                               <> (OLD.record - ARRAY['state', 'replies', 'returns', 'escalations', 'reply_due']))
       OR (step = 'reply' AND (now_state <> 'replied' OR NOT answerer
                               OR NEW.record->'replies'->-1->>'by' IS DISTINCT FROM me_id))
       OR (step = 'return' AND (now_state <> 'returned' OR NOT checklist.closes_for(OLD.opener)
                                OR (answerer AND NOT me_id = ANY (checklist.chain_above(OLD.opener)))
                                OR NEW.record->'returns'->-1->>'by' IS DISTINCT FROM me_id))
       OR (step = 'climb' AND now_state <> was)
       OR (step = 'close' AND (NOT checklist.closes_for(OLD.opener)
                               OR (answerer AND NOT me_id = ANY (checklist.chain_above(OLD.opener)))
                               OR NEW.record->>'closed_by' IS DISTINCT FROM me_id
                               OR NEW.record->>'outcome' NOT IN ('none', '约谈', '通报批评', '问责'))) THEN
        RAISE EXCEPTION 'follow-up %: this change is not a step you may take (reply: its target; return or close: '
                        'its opener or someone above them; one step at a time)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER follow_up_step BEFORE UPDATE ON checklist.follow_ups
    FOR EACH ROW EXECUTE FUNCTION checklist.follow_up_step();

ALTER TABLE checklist.follow_ups ENABLE ROW LEVEL SECURITY;
-- (SELECT f()) is evaluated once per statement; the answerers only for a department's or court's rows
CREATE POLICY follow_ups_seen ON checklist.follow_ups FOR SELECT
    USING ((SELECT checklist.my_level()) >= 3
           OR officer = ANY ((SELECT checklist.visible())::text[]) OR opener = ANY ((SELECT checklist.visible())::text[])
           OR (officer IS NULL AND checklist.answerers(court, record->'target'->>'department')
                                   && (SELECT checklist.visible())::text[]));
-- an opener opens in their own name, on people below them or in the courts they manage
CREATE POLICY follow_ups_opened ON checklist.follow_ups FOR INSERT
    WITH CHECK ((SELECT checklist.my_level()) >= 3
                OR (opener = (SELECT checklist.me()) AND (SELECT checklist.my_level()) >= 1
                    AND (officer = ANY (checklist.below(opener)) OR court = ANY ((SELECT checklist.managed())::text[]))));
-- a step changes one row: the same rule as seeing it, asked of that row (the trigger checks the step)
CREATE POLICY follow_ups_changed ON checklist.follow_ups FOR UPDATE
    USING (checklist.sees_follow_up(court, officer, opener, record->'target'->>'department'));

-- whether the session user may append this entry about a department's or court's follow-up (an entry
-- with no officer): the step it records is one they may take on a follow-up they see
CREATE FUNCTION checklist.may_log_follow_up(line jsonb) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM checklist.follow_ups f
        WHERE f.id = line->>'follow_up' AND f.officer IS NULL
          AND checklist.sees_follow_up(f.court, f.officer, f.opener, f.record->'target'->>'department')
          AND CASE line->>'action'
                WHEN 'follow-up' THEN f.opener = checklist.me()
                WHEN 'follow-up-reply' THEN checklist.answers(f.court, NULL, f.record->'target'->>'department')
                WHEN 'follow-up-return' THEN checklist.closes_for(f.opener)
                WHEN 'follow-up-close' THEN checklist.closes_for(f.opener)
                WHEN 'follow-up-escalate' THEN true
                ELSE false END)
$$;

DROP POLICY history_added ON checklist.history;
CREATE POLICY history_added ON checklist.history FOR INSERT
    WITH CHECK ((SELECT checklist.is_owner()) OR (line::jsonb)->>'actor' = (SELECT checklist.me())
                AND (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[])
                     OR (officer IS NULL AND (line::jsonb)->>'follow_up' IS NULL AND (SELECT checklist.manages_all()))
                     OR (officer IS NULL AND checklist.may_log_follow_up(line::jsonb))));
-- an entry about a department's or court's follow-up is read by whoever sees that follow-up
DROP POLICY history_seen ON checklist.history;
CREATE POLICY history_seen ON checklist.history FOR SELECT
    USING (officer = ANY ((SELECT checklist.visible())::text[])
           OR (officer IS NULL AND ((SELECT checklist.my_level()) >= 3 OR (line::jsonb)->>'follow_up' IS NULL
                                    OR EXISTS (SELECT 1 FROM checklist.follow_ups f
                                               WHERE f.id = (line::jsonb)->>'follow_up'))));

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA checklist FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'checklist_member') THEN
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA checklist TO checklist_member;
        GRANT SELECT, INSERT, UPDATE ON checklist.follow_ups TO checklist_member;
    END IF;
END
$$;
