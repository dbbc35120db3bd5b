-- Version 3: full-text search (FTS5).  Each row holds the search forms of one article (title + text) or one
-- entity (names and aliases): every normalised word, its clitic-stripped forms and joined word pairs
-- (rasad.search.index_forms).  Filled by the store, rebuilt whenever meta.search_index differs from the code's.
CREATE VIRTUAL TABLE article_search USING fts5(id UNINDEXED, forms, tokenize = 'unicode61 remove_diacritics 0', detail = none);
CREATE VIRTUAL TABLE entity_search USING fts5(id UNINDEXED, forms, tokenize = 'unicode61 remove_diacritics 0', detail = none);
