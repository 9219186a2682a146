-- A learner's notes: documents, their chunks (the text retrieval returns), and the
-- background jobs that ingest them. Chroma holds only the chunks' vectors, keyed by chunk
-- id, and can be rebuilt from these rows.
CREATE TABLE documents (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    path          text        NOT NULL CHECK (length(path) BETWEEN 1 AND 1000),
    kind          text        NOT NULL DEFAULT 'notes' CHECK (kind IN ('notes', 'toc')),
    title         text        NOT NULL,
    content_hash  text        NOT NULL,
    size_bytes    integer     NOT NULL CHECK (size_bytes >= 0),
    front_matter  jsonb       NOT NULL DEFAULT '{}',
    -- Each section's anchor and concept key, to resolve links from other documents.
    sections      jsonb       NOT NULL DEFAULT '[]',
    -- The mdBook SUMMARY.md entries, for a table of contents document.
    toc           jsonb       NOT NULL DEFAULT '[]',
    -- False while the concept graph does not yet reflect this version of the document.
    graph_synced  boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, path)
);

CREATE TABLE chunks (
    id             uuid      PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id       uuid      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document_id    uuid      NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    position       integer   NOT NULL,
    heading_path   text[]    NOT NULL,
    section_anchor text      NOT NULL,
    concept_key    text,
    kind           text      NOT NULL CHECK (kind IN ('prose', 'code')),
    language       text,
    text           text      NOT NULL,
    content_hash   text      NOT NULL,
    token_count    integer   NOT NULL,
    -- Vectors follow the rows: false until Chroma holds this chunk's vector.
    embedded       boolean   NOT NULL DEFAULT false
);
CREATE INDEX chunks_document ON chunks (document_id, position);
CREATE INDEX chunks_owner ON chunks (owner_id);
CREATE INDEX chunks_unembedded ON chunks (owner_id) WHERE NOT embedded;

CREATE TABLE ingest_jobs (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status      text        NOT NULL DEFAULT 'queued'
                            CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- One entry per file: {name, status, error, document_id, chunks}.
    files       jsonb       NOT NULL DEFAULT '[]',
    chunks_total    integer NOT NULL DEFAULT 0,
    chunks_embedded integer NOT NULL DEFAULT 0,
    -- Prerequisite edges removed to keep the graph acyclic: {source, target, weight}.
    cycles_broken   jsonb   NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX ingest_jobs_owner ON ingest_jobs (owner_id, created_at DESC);
