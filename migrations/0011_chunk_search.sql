-- Lexical search over chunks: the words of each chunk (its heading path and text) as a
-- tsvector kept by PostgreSQL itself, and a GIN index to find the chunks holding a word.
--
-- The 'simple' configuration lower-cases and keeps every word: no stemming and no stop
-- words. Lexical search is there for the words whose exact form matters (error codes such
-- as E0382, keywords such as `mut`, `for`, `in` or `as`, names of functions and people),
-- which an English stemmer would drop or change, in notes of any language; what a word
-- means, and its other forms, the dense search already finds.
--
-- ASCII punctuation becomes a space first: PostgreSQL's parser would otherwise read
-- `s.push_str` as a host name and `src/main.rs` as a file, so `push_str` or `main.rs`
-- would never match them. Identifiers are thus indexed as their parts, on both sides.
CREATE FUNCTION search_vector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
        SELECT pg_catalog.to_tsvector(
            'pg_catalog.simple'::regconfig,
            pg_catalog.regexp_replace(body, '[!-/:-@\[-`{-~]+', ' ', 'g')
        )
    $$;

-- Immutable: the text of a text[] does not depend on any setting.
CREATE FUNCTION chunk_search_vector(heading_path text[], body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT search_vector(
            pg_catalog.array_to_string(heading_path, ' ') || E'\n' || coalesce(body, '')
        )
    $$;

ALTER TABLE chunks
    ADD COLUMN search tsvector
        GENERATED ALWAYS AS (chunk_search_vector(heading_path, text)) STORED;

CREATE INDEX chunks_search ON chunks USING gin (search);
