-- Version 2: two layers of relations and events (see migrations/sqlite/0002_layers.sql).
CREATE TABLE article_relations (
  id TEXT COLLATE "C" NOT NULL, article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  subject TEXT COLLATE "C" NOT NULL, predicate TEXT COLLATE "C" NOT NULL, object TEXT COLLATE "C" NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (id, article_id)
);
CREATE INDEX article_relations_article ON article_relations(article_id);
CREATE TABLE article_events (
  id TEXT COLLATE "C" NOT NULL, article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  event_date TEXT COLLATE "C", data TEXT NOT NULL,
  PRIMARY KEY (id, article_id)
);
CREATE INDEX article_events_article ON article_events(article_id);

INSERT INTO article_relations (id, article_id, subject, predicate, object, data)
SELECT r.id, ev.article_id, r.data::jsonb ->> 'subject', r.data::jsonb ->> 'predicate', r.data::jsonb ->> 'object',
       jsonb_set(r.data::jsonb, '{evidence}', ev.evidence)::text
FROM relations r
JOIN (
  SELECT r2.id AS rid, e.value ->> 'article_id' AS article_id, jsonb_agg(e.value ORDER BY e.ord) AS evidence
  FROM relations r2, jsonb_array_elements(r2.data::jsonb -> 'evidence') WITH ORDINALITY AS e(value, ord)
  GROUP BY r2.id, e.value ->> 'article_id'
) ev ON ev.rid = r.id
WHERE ev.article_id IN (SELECT id FROM articles);

INSERT INTO article_events (id, article_id, event_date, data)
SELECT id, data::jsonb -> 'evidence' -> 0 ->> 'article_id', data::jsonb ->> 'event_date', data
FROM events
WHERE data::jsonb -> 'evidence' -> 0 ->> 'article_id' IN (SELECT id FROM articles);

DELETE FROM relations;
DELETE FROM events;
ALTER TABLE events ADD COLUMN event_date TEXT COLLATE "C";
ALTER TABLE stories ADD COLUMN data TEXT;
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_outlet ON articles(outlet);
CREATE INDEX article_sources_file ON article_sources(file);
