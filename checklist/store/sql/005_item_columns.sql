-- checklist schema 5: an item's fields that queries read are columns, and only columns.
--
-- Until now the whole item was kept as JSON and the fields queries filter on were copied into
-- columns, with a CHECK that parsed the JSON four times on every write to keep the copies honest
-- (half of a year's sync was the server parsing JSON), and a report parsed every record again to
-- count. Now each field lives in one place: the fields reports, indicators and imports read are
-- columns, the rest of the item (title, tags, sources, basis, note …) is the JSON `record`. Nothing
-- can disagree, so nothing needs checking, and a report counts columns.
--
-- A field the item holds as JSON null (a cleared done_at) becomes a NULL column and reads back
-- absent, as it does from the file database.

ALTER TABLE checklist.items
    DROP CONSTRAINT item_columns_match,
    ADD COLUMN key           text,
    ADD COLUMN every         text,
    ADD COLUMN priority      text,
    ADD COLUMN campaigns     text[],
    ADD COLUMN recorded_at   text,
    ADD COLUMN reassigned_to text,
    ADD COLUMN reassigned_on text,
    ADD COLUMN case_no       text;

UPDATE checklist.items AS i SET
    (key, every, priority, campaigns, recorded_at, reassigned_to, reassigned_on, case_no) = (
        SELECT r.key, r.every, r.priority,
               CASE WHEN json_typeof(r.campaigns) = 'array' THEN ARRAY(SELECT json_array_elements_text(r.campaigns)) END,
               r.recorded_at, r.reassigned_to, r.reassigned_on, r."case"
        FROM json_to_record(i.record) AS r(key text, every text, priority text, campaigns json, recorded_at text,
                                          reassigned_to text, reassigned_on text, "case" text)),
    record = coalesce((
        SELECT json_object_agg(e.name, e.value) FROM json_each(i.record) AS e(name, value)
        WHERE e.name NOT IN ('id', 'due', 'status', 'done_at', 'key', 'every', 'priority', 'campaigns',
                             'recorded_at', 'reassigned_to', 'reassigned_on', 'case')), '{}'::json);

-- a case's items, for the indicators: found without reading the campaigns' items
CREATE INDEX items_of_cases ON checklist.items (court, officer, due) WHERE case_no IS NOT NULL;
