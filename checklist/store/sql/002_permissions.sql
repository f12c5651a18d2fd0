-- checklist schema 2: the server enforces who may do what (SPEC.md → Who may do what; docs/permissions.md).
--
-- Each person logs in as their own role (`checklist db roles`), named as their roster account: the
-- roster's login, else their id. These functions tell, for the session user, whom they may see,
-- whose items they may work and which courts they manage; row-level security on items, officers,
-- history, meta and templates applies them, so a person with psql can do no more than the commands
-- let them. The role that owns the database (and a superuser) is not bound: it acts as admin.
--
-- Levels come from the titles the applied templates know (meta 'access'.titles: title → level),
-- the court hierarchy from meta 'access'.courts (name → {parent}). The functions run as their
-- owner (SECURITY DEFINER) so that they read the roster whatever the caller may see.

-- the roster found by account (one person each) and by lead, as the functions below look people up
CREATE UNIQUE INDEX officers_one_per_account ON checklist.officers ((coalesce(record->>'login', id)));
CREATE INDEX officers_by_lead ON checklist.officers ((record->>'lead'));

-- the acting person's officer id (NULL: not on the roster)
CREATE FUNCTION checklist.me() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT id FROM checklist.officers WHERE coalesce(record->>'login', id) = session_user LIMIT 1
$$;

-- whether the session user owns the database (or is a superuser): it acts as admin
CREATE FUNCTION checklist.is_owner() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT session_user = (SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database
                           WHERE datname = pg_catalog.current_database())
        OR coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user), false)
$$;

-- an officer's level: 0 officer, 1 lead, 2 chief, 3 admin (-1: no known title)
CREATE FUNCTION checklist.level_of(record jsonb) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT coalesce(max(array_position(ARRAY['officer', 'lead', 'chief', 'admin'],
                                       coalesce(titles.value->>role, CASE WHEN role IN ('officer', 'lead', 'chief',
                                                                                        'admin') THEN role END)) - 1),
                    -1)
    FROM jsonb_array_elements_text(record->'roles') AS role,
         (SELECT coalesce((SELECT value->'titles' FROM checklist.meta WHERE court = '' AND name = 'access'),
                          '{}'::jsonb) AS value) AS titles
$$;

CREATE FUNCTION checklist.my_level() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT CASE WHEN checklist.is_owner() THEN 3
                ELSE coalesce((SELECT checklist.level_of(record) FROM checklist.officers
                               WHERE id = checklist.me()), -1) END
$$;

-- the courts ``upper`` covers: itself and every court below it (meta 'access'.courts); a person
-- with no court covers only the people with none
CREATE FUNCTION checklist.courts_under(upper text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    WITH RECURSIVE courts AS (
        SELECT c.key AS name, nullif(c.value->>'parent', '') AS parent
        FROM checklist.meta m, jsonb_each(m.value->'courts') c
        WHERE m.court = '' AND m.name = 'access'
    ), below(name) AS (
        SELECT coalesce(upper, '')
        UNION
        SELECT courts.name FROM courts JOIN below ON courts.parent = below.name AND below.name <> ''
    )
    SELECT array_agg(name) FROM below
$$;

-- an officer's court ('' for someone not on the roster)
CREATE FUNCTION checklist.court_of(officer text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT coalesce((SELECT court FROM checklist.officers WHERE id = officer), '')
$$;

-- the people below ``person`` in the chain of leads (not ``person``)
CREATE FUNCTION checklist.below(person text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    WITH RECURSIVE team(id) AS (
        SELECT id FROM checklist.officers WHERE record->>'lead' = person
        UNION
        SELECT o.id FROM checklist.officers o JOIN team ON o.record->>'lead' = team.id
    )
    SELECT coalesce(array_agg(id), '{}') FROM team WHERE id <> person
$$;

-- the acting person, everyone below them in the chain of leads, and everyone in ``courts``
CREATE FUNCTION checklist.team_and(me_id text, courts text[]) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT array_append(checklist.below(me_id), me_id)
        || (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers WHERE court = ANY (courts))
$$;

-- whom the session user may see (today, plan, show, report, export, follow-ups, log): everyone for
-- an admin; else their team, and for a chief everyone in their court and the courts below it
CREATE FUNCTION checklist.visible() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    me_id text := checklist.me();
    level integer := checklist.my_level();
BEGIN
    IF level >= 3 THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers);
    END IF;
    IF me_id IS NULL THEN
        RETURN '{}';
    END IF;
    RETURN checklist.team_and(me_id, CASE WHEN level = 2 THEN checklist.courts_under(checklist.court_of(me_id))
                                          ELSE '{}' END);
END
$$;

-- whose items the session user may mark done, undo, skip (and reply to, reassign): everyone's for
-- the owner; else their team's, and for a chief everyone's in their own court
CREATE FUNCTION checklist.workable() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    me_id text := checklist.me();
BEGIN
    IF checklist.is_owner() THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers);
    END IF;
    IF me_id IS NULL THEN
        RETURN '{}';
    END IF;
    RETURN checklist.team_and(me_id, CASE WHEN checklist.my_level() = 2 THEN ARRAY[checklist.court_of(me_id)]
                                          ELSE '{}' END);
END
$$;

-- the courts whose people the session user manages (imports, sync, follow-ups from above):
-- a chief's court and the courts below it; every court for an admin ('' holds what is no court's)
CREATE FUNCTION checklist.managed() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    level integer := checklist.my_level();
BEGIN
    IF level >= 3 THEN
        RETURN (SELECT array_append(coalesce(array_agg(DISTINCT court), '{}'), '') FROM checklist.officers);
    END IF;
    IF level = 2 THEN
        RETURN checklist.courts_under(checklist.court_of(checklist.me()));
    END IF;
    RETURN '{}';
END
$$;

-- chiefs and admins keep the lists in step (a sync's bookkeeping)
CREATE FUNCTION checklist.is_manager() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT checklist.my_level() >= 2
$$;

-- whoever manages every court on the roster (an admin, the owner, the chief of the court above them
-- all) applies templates and sets what the whole database runs on
CREATE FUNCTION checklist.manages_all() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    SELECT checklist.my_level() >= 3 OR (checklist.my_level() = 2 AND NOT EXISTS (
        SELECT 1 FROM checklist.officers WHERE NOT court = ANY (checklist.managed())))
$$;

-- whose items start with ``prefix`` (at most 50): to name the owner in a refusal, and to find an item by
-- its id prefix quickly (under row-level security a LIKE cannot use the id index); no item's content
CREATE FUNCTION checklist.item_owners(prefix text) RETURNS TABLE (id text, officer text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
    -- a range in the id index's own (bytewise) order: a LIKE with a parameter would scan every item
    SELECT id, officer FROM checklist.items
    WHERE length(prefix) >= 4 AND id ~>=~ prefix AND id ~<~ (prefix || '~')
    LIMIT 50
$$;

-- the chain's head moves forward only, to the last entry written
CREATE FUNCTION checklist.chain_follows_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    last_seq bigint;
    last_line text;
BEGIN
    SELECT seq, line INTO last_seq, last_line FROM checklist.history ORDER BY seq DESC LIMIT 1;
    IF NEW.court <> OLD.court OR NEW.seq < OLD.seq OR NEW.seq <> coalesce(last_seq, 0)
       OR (last_seq IS NOT NULL AND (last_line::jsonb)->>'hash' IS DISTINCT FROM NEW.hash) THEN
        RAISE EXCEPTION 'the history head must be its last entry (seq %)', coalesce(last_seq, 0)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER chain_follows_history BEFORE UPDATE ON checklist.chain
    FOR EACH ROW EXECUTE FUNCTION checklist.chain_follows_history();

-- an entry comes next in the one chain, says of itself what its columns say, under its officer's court
CREATE FUNCTION checklist.entry_in_order() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist, pg_temp AS $$
DECLARE
    entry jsonb := NEW.line::jsonb;
BEGIN
    IF NEW.seq <> coalesce((SELECT max(seq) FROM checklist.history), 0) + 1
       OR (entry->>'seq')::bigint IS DISTINCT FROM NEW.seq
       OR entry->>'officer' IS DISTINCT FROM NEW.officer
       OR NEW.court <> checklist.court_of(NEW.officer) THEN  -- '' for an entry about no officer
        RAISE EXCEPTION 'history entry % is out of order or does not match its columns', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER entry_in_order BEFORE INSERT ON checklist.history
    FOR EACH ROW EXECUTE FUNCTION checklist.entry_in_order();

-- the columns commands and policies filter on are copies of the record: they may not drift apart
ALTER TABLE checklist.officers ADD CONSTRAINT officer_columns_match
    CHECK (id = record->>'id' AND court = coalesce(record->>'court', ''));

ALTER TABLE checklist.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.officers ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.history ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.meta ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.templates ENABLE ROW LEVEL SECURITY;

-- (SELECT f())::text[] is evaluated once per statement (an InitPlan), not once per row
CREATE POLICY items_seen ON checklist.items FOR SELECT
    USING (officer = ANY ((SELECT checklist.visible())::text[]));
CREATE POLICY items_added ON checklist.items FOR INSERT
    WITH CHECK ((officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[]))
                AND court = checklist.court_of(officer));
CREATE POLICY items_changed ON checklist.items FOR UPDATE
    USING (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[]))
    WITH CHECK ((officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[]))
                AND court = checklist.court_of(officer));
CREATE POLICY items_moved ON checklist.items FOR DELETE
    USING (court = ANY ((SELECT checklist.managed())::text[]));

-- a chief adds and changes people in the courts they manage, never themselves, and never makes an admin
CREATE POLICY officers_seen ON checklist.officers FOR SELECT USING (true);
CREATE POLICY officers_added ON checklist.officers FOR INSERT
    WITH CHECK (court = ANY ((SELECT checklist.managed())::text[])
                AND ((SELECT checklist.my_level()) >= 3 OR checklist.level_of(record) < 3));
CREATE POLICY officers_changed ON checklist.officers FOR UPDATE
    USING (court = ANY ((SELECT checklist.managed())::text[])
           AND ((SELECT checklist.my_level()) >= 3 OR id IS DISTINCT FROM (SELECT checklist.me())))
    WITH CHECK (court = ANY ((SELECT checklist.managed())::text[])
                AND ((SELECT checklist.my_level()) >= 3 OR checklist.level_of(record) < 3));

-- an entry names its real actor, and touches only people the actor may work on or manages
CREATE POLICY history_seen ON checklist.history FOR SELECT
    USING (officer IS NULL OR officer = ANY ((SELECT checklist.visible())::text[]));
CREATE POLICY history_added ON checklist.history FOR INSERT
    WITH CHECK ((SELECT checklist.is_owner()) OR (line::jsonb)->>'actor' = (SELECT checklist.me())
                AND (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[])
                     OR (officer IS NULL AND (SELECT checklist.manages_all()))));

-- a chief's roster import keeps the sync's bookkeeping; what the database runs on (templates, titles
-- and courts, its owner) is set by whoever manages every court
CREATE POLICY meta_seen ON checklist.meta FOR SELECT USING (true);
CREATE POLICY meta_added ON checklist.meta FOR INSERT
    WITH CHECK ((SELECT checklist.manages_all()) OR (SELECT checklist.is_manager())
                AND name IN ('sync_version', 'holidays', 'synced_at', 'campaigns', 'calendar'));
CREATE POLICY meta_changed ON checklist.meta FOR UPDATE
    USING ((SELECT checklist.is_manager()))
    WITH CHECK ((SELECT checklist.manages_all()) OR (SELECT checklist.is_manager())
                AND name IN ('sync_version', 'holidays', 'synced_at', 'campaigns', 'calendar'));

CREATE POLICY templates_seen ON checklist.templates FOR SELECT USING (true);
CREATE POLICY templates_added ON checklist.templates FOR INSERT WITH CHECK ((SELECT checklist.manages_all()));
CREATE POLICY templates_removed ON checklist.templates FOR DELETE USING ((SELECT checklist.manages_all()));

-- the functions are for the policies and for checklist's members (checklist db roles grants them)
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA checklist FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'checklist_member') THEN
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA checklist TO checklist_member;  -- a database upgraded in place
    END IF;
END
$$;
