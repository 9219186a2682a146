-- Conversation threads over the WebSocket: the event log each client resumes from, the
-- turns run on each thread (one at a time), and learners' ratings of lessons.

CREATE TABLE threads (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_owner ON threads (owner_id, updated_at DESC);

-- Every event of every turn, numbered per thread; a client that reconnects with the last
-- number it saw is sent the rest from here.
CREATE TABLE thread_events (
    thread_id   uuid        NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    seq         bigint      NOT NULL CHECK (seq > 0),
    turn_id     uuid        NOT NULL,
    event       jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (thread_id, seq)
);

-- A turn is one action and everything it sent. Only one runs per thread; the worker that
-- runs it holds an advisory lock on its own id, so a turn whose worker died can be told
-- from one still running and be closed as interrupted.
CREATE TABLE turns (
    id          uuid        PRIMARY KEY,
    thread_id   uuid        NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    worker      uuid        NOT NULL,
    action      jsonb       NOT NULL,
    status      text        NOT NULL DEFAULT 'running'
                            CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE UNIQUE INDEX turns_one_running ON turns (thread_id) WHERE status = 'running';

CREATE TABLE lesson_feedback (
    lesson_id   uuid        NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating      smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     text        NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lesson_id, owner_id)
);
