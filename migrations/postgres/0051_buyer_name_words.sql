-- Whole words of the lower-cased name, for fragments that hold a word few names have: the
-- trigram index alone reads most of its posting lists for a fragment whose trigrams most names
-- share (see buyers::listing).
--
-- New and renamed buyers go into both GIN indexes at once rather than into a pending list,
-- which every search reads row by row (and the planner counts against the index) until a
-- vacuum folds it in.
CREATE INDEX buyers_name_words ON buyers USING gin (string_to_array(search_name, ' '))
    WITH (fastupdate = off);
ALTER INDEX buyers_name_trigrams SET (fastupdate = off);
SELECT gin_clean_pending_list('buyers_name_trigrams');
