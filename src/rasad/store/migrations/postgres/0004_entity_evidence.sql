-- Version 4: evidence of discovered entities: one row per sentence that introduced the name, instead of a JSON
-- list inside entities.extra (which was read, sorted and rewritten whole each time the name was found
-- again: a cost that grew with the archive). The primary key orders a name's evidence as the export does.
CREATE TABLE entity_evidence (
  entity_id TEXT COLLATE "C" NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  article_id TEXT COLLATE "C" NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  PRIMARY KEY (entity_id, article_id, start, "end")
);
CREATE INDEX entity_evidence_article ON entity_evidence(article_id);

INSERT INTO entity_evidence (entity_id, article_id, start, "end")
SELECT e.id, v ->> 'article_id', (v ->> 'start')::integer, (v ->> 'end')::integer
FROM entities e, jsonb_array_elements(e.extra::jsonb -> 'evidence') v
WHERE v ->> 'article_id' IN (SELECT id FROM articles)
ON CONFLICT DO NOTHING;

UPDATE entities SET extra = (extra::jsonb - 'evidence')::text WHERE (extra::jsonb -> 'evidence') IS NOT NULL;
