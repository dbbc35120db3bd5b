-- Version 3: search.  The same search forms as SQLite's FTS5 tables (rasad.search.index_forms), kept as a
-- text array with a GIN index: a query group matches a row when the arrays overlap (forms && group).
CREATE TABLE article_search (
  id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE, forms TEXT[] NOT NULL
);
CREATE INDEX article_search_forms ON article_search USING GIN (forms);
CREATE TABLE entity_search (
  id TEXT COLLATE "C" PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE, forms TEXT[] NOT NULL
);
CREATE INDEX entity_search_forms ON entity_search USING GIN (forms);
