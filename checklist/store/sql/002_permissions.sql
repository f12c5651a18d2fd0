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

-- the roster found by account and by lead, as the functions below look people up
CREATE INDEX officers_by_account ON checklist.officers ((coalesce(record->>'login', id)));
CREATE INDEX officers_by_lead ON checklist.officers ((record->>'lead'));

-- the acting person's officer id (NULL: not on the roster)
CREATE FUNCTION checklist.me() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    SELECT id FROM checklist.officers WHERE coalesce(record->>'login', id) = session_user LIMIT 1
$$;

-- whether the session user owns the database (or is a superuser): it acts as admin
CREATE FUNCTION checklist.is_owner() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    SELECT session_user = (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
        OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
$$;

-- an officer's level: 0 officer, 1 lead, 2 chief, 3 admin (-1: no known title)
CREATE FUNCTION checklist.level_of(record jsonb) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    SELECT coalesce(max(array_position(ARRAY['officer', 'lead', 'chief', 'admin'],
                                       coalesce(titles.value->>role, CASE WHEN role IN ('officer', 'lead', 'chief',
                                                                                        'admin') THEN role END)) - 1),
                    -1)
    FROM jsonb_array_elements_text(record->'roles') AS role,
         (SELECT coalesce((SELECT value->'titles' FROM checklist.meta WHERE court = '' AND name = 'access'),
                          '{}'::jsonb) AS value) AS titles
$$;

CREATE FUNCTION checklist.my_level() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    SELECT CASE WHEN checklist.is_owner() THEN 3
                ELSE coalesce((SELECT checklist.level_of(record) FROM checklist.officers
                               WHERE id = checklist.me()), -1) END
$$;

-- the courts ``upper`` covers: itself and every court below it (meta 'access'.courts)
CREATE FUNCTION checklist.courts_under(upper text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    WITH RECURSIVE courts AS (
        SELECT c.key AS name, c.value->>'parent' AS parent
        FROM checklist.meta m, jsonb_each(m.value->'courts') c
        WHERE m.court = '' AND m.name = 'access'
    ), below(name) AS (
        SELECT upper
        UNION
        SELECT courts.name FROM courts JOIN below ON courts.parent = below.name
    )
    SELECT array_agg(name) FROM below
$$;

-- the people below ``person`` in the chain of leads (not ``person``)
CREATE FUNCTION checklist.below(person text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    WITH RECURSIVE team(id) AS (
        SELECT id FROM checklist.officers WHERE record->>'lead' = person
        UNION
        SELECT o.id FROM checklist.officers o JOIN team ON o.record->>'lead' = team.id
    )
    SELECT coalesce(array_agg(id), '{}') FROM team WHERE id <> person
$$;

-- whom the session user may see: today, plan, show, report, export, follow-ups, log
CREATE FUNCTION checklist.visible() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
DECLARE
    me_id text := checklist.me();
    level integer := checklist.my_level();
    team text[];
    courts text[];
BEGIN
    IF level >= 3 THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers);
    END IF;
    IF me_id IS NULL THEN
        RETURN '{}';
    END IF;
    team := array_append(checklist.below(me_id), me_id);
    IF level = 2 THEN
        courts := checklist.courts_under((SELECT court FROM checklist.officers WHERE id = me_id));
        RETURN team || (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers WHERE court = ANY (courts));
    END IF;
    RETURN team;
END
$$;

-- whose items the session user may mark done, undo, skip (and reply to, reassign): their own,
-- those below them in the chain of leads, and — for a chief — everyone in their court
CREATE FUNCTION checklist.workable() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
DECLARE
    me_id text := checklist.me();
    team text[];
    mine text;
BEGIN
    IF checklist.is_owner() THEN
        RETURN (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers);
    END IF;
    IF me_id IS NULL THEN
        RETURN '{}';
    END IF;
    team := array_append(checklist.below(me_id), me_id);
    IF checklist.my_level() = 2 THEN
        SELECT court INTO mine FROM checklist.officers WHERE id = me_id;
        RETURN team || (SELECT coalesce(array_agg(id), '{}') FROM checklist.officers WHERE court = mine);
    END IF;
    RETURN team;
END
$$;

-- the courts whose people the session user manages (imports, sync, follow-ups from above):
-- a chief's court and the courts below it; every court for an admin ('' holds what is no court's)
CREATE FUNCTION checklist.managed() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
DECLARE
    level integer := checklist.my_level();
BEGIN
    IF level >= 3 THEN
        RETURN (SELECT array_append(coalesce(array_agg(DISTINCT court), '{}'), '') FROM checklist.officers);
    END IF;
    IF level = 2 THEN
        RETURN checklist.courts_under((SELECT court FROM checklist.officers WHERE id = checklist.me()));
    END IF;
    RETURN '{}';
END
$$;

-- chiefs and admins apply templates, sync and keep the database's metadata
CREATE FUNCTION checklist.is_manager() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    SELECT checklist.my_level() >= 2
$$;

-- whose items start with ``prefix`` (at most 5), to name the owner in a refusal; no item's content
CREATE FUNCTION checklist.item_owners(prefix text) RETURNS TABLE (id text, officer text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
    SELECT id, officer FROM checklist.items
    WHERE length(prefix) >= 4 AND id LIKE replace(replace(replace(prefix, '\', '\\'), '%', '\%'), '_', '\_') || '%'
    LIMIT 5
$$;

-- the chain's head may only move to the last entry written
CREATE FUNCTION checklist.chain_follows_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, checklist AS $$
DECLARE
    last text;
BEGIN
    SELECT line INTO last FROM checklist.history WHERE seq = NEW.seq;
    IF NEW.seq <> 0 AND (last IS NULL OR (last::jsonb)->>'hash' IS DISTINCT FROM NEW.hash
                         OR EXISTS (SELECT 1 FROM checklist.history WHERE seq > NEW.seq)) THEN
        RAISE EXCEPTION 'the history head must be its last entry (seq %)', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER chain_follows_history BEFORE UPDATE ON checklist.chain
    FOR EACH ROW EXECUTE FUNCTION checklist.chain_follows_history();

ALTER TABLE checklist.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.officers ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.history ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.meta ENABLE ROW LEVEL SECURITY;
ALTER TABLE checklist.templates ENABLE ROW LEVEL SECURITY;

-- (SELECT f())::text[] is evaluated once per statement (an InitPlan), not once per row
CREATE POLICY items_seen ON checklist.items FOR SELECT
    USING (officer = ANY ((SELECT checklist.visible())::text[]));
CREATE POLICY items_added ON checklist.items FOR INSERT
    WITH CHECK (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[]));
CREATE POLICY items_changed ON checklist.items FOR UPDATE
    USING (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[]))
    WITH CHECK (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[]));
CREATE POLICY items_moved ON checklist.items FOR DELETE
    USING (court = ANY ((SELECT checklist.managed())::text[]));

CREATE POLICY officers_seen ON checklist.officers FOR SELECT USING (true);
CREATE POLICY officers_added ON checklist.officers FOR INSERT
    WITH CHECK (court = ANY ((SELECT checklist.managed())::text[]));
CREATE POLICY officers_changed ON checklist.officers FOR UPDATE
    USING (court = ANY ((SELECT checklist.managed())::text[])) WITH CHECK (court = ANY ((SELECT checklist.managed())::text[]));

-- an entry names its real actor, and touches only people the actor may work on or manages
CREATE POLICY history_seen ON checklist.history FOR SELECT
    USING (officer IS NULL OR officer = ANY ((SELECT checklist.visible())::text[]));
CREATE POLICY history_added ON checklist.history FOR INSERT
    WITH CHECK ((SELECT checklist.is_owner()) OR (line::jsonb)->>'actor' = (SELECT checklist.me())
                AND (officer = ANY ((SELECT checklist.workable())::text[]) OR court = ANY ((SELECT checklist.managed())::text[])
                     OR (officer IS NULL AND (SELECT checklist.is_manager()))));

CREATE POLICY meta_seen ON checklist.meta FOR SELECT USING (true);
CREATE POLICY meta_added ON checklist.meta FOR INSERT WITH CHECK ((SELECT checklist.is_manager()));
CREATE POLICY meta_changed ON checklist.meta FOR UPDATE
    USING ((SELECT checklist.is_manager())) WITH CHECK ((SELECT checklist.is_manager()));

CREATE POLICY templates_seen ON checklist.templates FOR SELECT USING (true);
CREATE POLICY templates_added ON checklist.templates FOR INSERT WITH CHECK ((SELECT checklist.is_manager()));
CREATE POLICY templates_removed ON checklist.templates FOR DELETE USING ((SELECT checklist.is_manager()));

REVOKE ALL ON FUNCTION checklist.me(), checklist.is_owner(), checklist.level_of(jsonb), checklist.my_level(),
    checklist.courts_under(text), checklist.below(text), checklist.visible(), checklist.workable(),
    checklist.managed(), checklist.is_manager(), checklist.item_owners(text) FROM PUBLIC;  -- checklist db roles grants them to its members
