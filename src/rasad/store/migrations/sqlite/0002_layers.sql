-- Version 2: two layers of relations and events.
--   article_relations / article_events: what each article says (written with the article, never merged);
--   relations / events / stories: the merged layer, replaced as a whole by the merge stage.
-- Version 1 kept relations merged by id and events per article in relations / events: split them out.
CREATE TABLE article_relations (
  id TEXT NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  subject TEXT NOT NULL, predicate TEXT NOT NULL, object TEXT NOT NULL, data TEXT NOT NULL,
  PRIMARY KEY (id, article_id)
);
CREATE INDEX article_relations_article ON article_relations(article_id);
CREATE TABLE article_events (
  id TEXT NOT NULL, article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  event_date TEXT, data TEXT NOT NULL,
  PRIMARY KEY (id, article_id)
);
CREATE INDEX article_events_article ON article_events(article_id);

INSERT INTO article_relations (id, article_id, subject, predicate, object, data)
SELECT r.id, ev.article_id, json_extract(r.data, '$.subject'), json_extract(r.data, '$.predicate'),
       json_extract(r.data, '$.object'), json_set(r.data, '$.evidence', json(ev.evidence))
FROM relations r
JOIN (
  SELECT r2.id AS rid, json_extract(e.value, '$.article_id') AS article_id, json_group_array(json(e.value)) AS evidence
  FROM relations r2, json_each(r2.data, '$.evidence') e
  GROUP BY r2.id, json_extract(e.value, '$.article_id')
) ev ON ev.rid = r.id
WHERE ev.article_id IN (SELECT id FROM articles);

INSERT INTO article_events (id, article_id, event_date, data)
SELECT id, json_extract(data, '$.evidence[0].article_id'), json_extract(data, '$.event_date'), data
FROM events
WHERE json_extract(data, '$.evidence[0].article_id') IN (SELECT id FROM articles);

DELETE FROM relations;
DELETE FROM events;
ALTER TABLE events ADD COLUMN event_date TEXT;
ALTER TABLE stories ADD COLUMN data TEXT;
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_outlet ON articles(outlet);
CREATE INDEX article_sources_file ON article_sources(file);
