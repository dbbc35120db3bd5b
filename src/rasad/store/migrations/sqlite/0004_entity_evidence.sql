-- Version 4: evidence of discovered entities: one row per sentence that introduced the name, instead of a JSON
-- list inside entities.extra (which was read, sorted and rewritten whole each time the name was found
-- again: a cost that grew with the archive). The primary key orders a name's evidence as the export does.
CREATE TABLE entity_evidence (
  entity_id TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  PRIMARY KEY (entity_id, article_id, start, "end")
) WITHOUT ROWID;
CREATE INDEX entity_evidence_article ON entity_evidence(article_id);

INSERT OR IGNORE INTO entity_evidence (entity_id, article_id, start, "end")
SELECT e.id, json_extract(v.value, '$.article_id'), json_extract(v.value, '$.start'), json_extract(v.value, '$.end')
FROM entities e, json_each(e.extra, '$.evidence') v
WHERE json_extract(v.value, '$.article_id') IN (SELECT id FROM articles);

UPDATE entities SET extra = json_remove(extra, '$.evidence') WHERE json_type(extra, '$.evidence') IS NOT NULL;
