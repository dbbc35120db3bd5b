-- rasad SQLite schema, version 1: articles, sources, entities, mentions; relations and events keyed globally.
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
  id TEXT PRIMARY KEY, file TEXT, source TEXT, outlet TEXT, title TEXT, published TEXT, url TEXT,
  byline TEXT, language TEXT, text TEXT NOT NULL, paragraphs TEXT NOT NULL, sentences TEXT NOT NULL,
  removed TEXT NOT NULL, metadata TEXT NOT NULL, story_id TEXT, kb_version TEXT, added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS article_sources (
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  source TEXT NOT NULL, file TEXT, outlet TEXT, url TEXT,
  PRIMARY KEY (article_id, source)
);
CREATE TABLE IF NOT EXISTS entities (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, name_en TEXT, name_ar TEXT, aliases TEXT NOT NULL,
  lat REAL, lon REAL, country TEXT, admin1 TEXT, wikidata TEXT, discovered INTEGER NOT NULL,
  feature TEXT, parent TEXT, affiliation TEXT, extra TEXT NOT NULL, kb_version TEXT
);
CREATE TABLE IF NOT EXISTS mentions (
  article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  entity_id TEXT NOT NULL REFERENCES entities(id),
  start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL, method TEXT NOT NULL, sentence INTEGER,
  PRIMARY KEY (article_id, start, "end", entity_id)
);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
CREATE TABLE IF NOT EXISTS relations (id TEXT PRIMARY KEY, subject TEXT, predicate TEXT, object TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, article_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT, started TEXT NOT NULL, finished TEXT, kb_version TEXT,
  read INTEGER DEFAULT 0, added INTEGER DEFAULT 0, duplicates INTEGER DEFAULT 0, skipped INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS skipped (run_id INTEGER REFERENCES runs(id), source TEXT NOT NULL, reason TEXT NOT NULL);
