-- Lessons and the exercises set with them, and the explain-back evidence mastery may need.
-- Concept ids come from the concept graph store, so they carry no foreign key here.

-- When the learner last passed an explain-back on the concept; mastery can require one.
ALTER TABLE mastery ADD COLUMN explained_at timestamptz;

CREATE TABLE lessons (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    concept_id  uuid        NOT NULL,
    thread_id   text        NOT NULL,
    source      text        NOT NULL CHECK (source IN ('model', 'extractive')),
    difficulty  text        NOT NULL CHECK (difficulty IN ('intro', 'practice', 'challenge')),
    text        text        NOT NULL,
    -- Citation n of the text is citations[n] (1-based): chunk id, heading path, document.
    citations   jsonb       NOT NULL,
    chunk_ids   text[]      NOT NULL,
    -- Unit-length embedding of the text, to keep later lessons on the concept different.
    embedding   real[]      NOT NULL,
    novelty     real        NOT NULL CHECK (novelty BETWEEN 0 AND 2),
    rewritten   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lessons_owner_concept ON lessons (owner_id, concept_id, created_at DESC);

CREATE TABLE exercises (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    concept_id  uuid        NOT NULL,
    lesson_id   uuid        REFERENCES lessons (id) ON DELETE CASCADE,
    difficulty  text        NOT NULL CHECK (difficulty IN ('intro', 'practice', 'challenge')),
    source      text        NOT NULL CHECK (source IN ('model', 'generated')),
    body        jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exercises_owner_lesson ON exercises (owner_id, lesson_id);
