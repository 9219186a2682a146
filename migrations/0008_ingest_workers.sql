-- Ingestion jobs belong to the process that runs them. It renews its claim while a job
-- waits or runs, so another process on the same database takes over (marks interrupted)
-- only the jobs of a process that stopped renewing: one that died or lost the database.
ALTER TABLE ingest_jobs
    ADD COLUMN worker_id    uuid,
    ADD COLUMN heartbeat_at timestamptz;
CREATE INDEX ingest_jobs_unfinished ON ingest_jobs (heartbeat_at)
    WHERE status IN ('queued', 'running');

-- Vectors in the vector store that no chunk row names. New chunks' vectors are written
-- before their rows, so that a document appears, whole, in the one transaction that
-- writes those rows; until then their ids wait here. The same transaction (or a deletion)
-- puts here the ids of the chunks it removes. Whatever is here at the owner's next
-- ingestion is deleted from the vector store.
CREATE TABLE staged_vectors (
    chunk_id   uuid        PRIMARY KEY,
    owner_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staged_vectors_owner ON staged_vectors (owner_id);
