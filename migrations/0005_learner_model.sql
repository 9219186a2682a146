-- The learner model: graded evidence, mastery per concept, review cards, preferences and
-- learning paths. Concept ids come from the concept graph store (PostgreSQL or Neo4j), so
-- they carry no foreign key here; every row carries its owner.

-- Append-only evidence. The same answer sent twice (same idempotency key) is one row.
CREATE TABLE attempts (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    concept_id      uuid        NOT NULL,
    exercise_id     text,
    kind            text        NOT NULL CHECK (kind IN
                        ('multiple_choice', 'short_answer', 'code', 'explain_back', 'review')),
    answer          text        NOT NULL DEFAULT '',
    score           real        NOT NULL CHECK (score BETWEEN 0 AND 1),
    verdict         text        NOT NULL CHECK (verdict IN ('correct', 'partial', 'incorrect')),
    latency_ms      integer     CHECK (latency_ms >= 0),
    mastery_after   real        NOT NULL,
    idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, idempotency_key)
);
CREATE INDEX attempts_owner_time ON attempts (owner_id, created_at);
CREATE INDEX attempts_owner_concept ON attempts (owner_id, concept_id, created_at);

CREATE FUNCTION attempts_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'attempts are append-only: % is not allowed', TG_OP;
END $$;
CREATE TRIGGER attempts_append_only BEFORE UPDATE ON attempts
    FOR EACH ROW EXECUTE FUNCTION attempts_are_append_only();

CREATE TABLE mastery (
    owner_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    concept_id  uuid        NOT NULL,
    p_known     real        NOT NULL CHECK (p_known BETWEEN 0 AND 1),
    attempts    integer     NOT NULL DEFAULT 0,
    last_seen   timestamptz NOT NULL,
    mastered_at timestamptz,
    -- FSRS card of the concept (py-fsrs's own serialisation) and when it is due.
    card        jsonb       NOT NULL,
    due_at      timestamptz NOT NULL,
    PRIMARY KEY (owner_id, concept_id)
);
CREATE INDEX mastery_due ON mastery (owner_id, due_at);

-- Knowledge-tracing parameters: fitted for everyone (concept_id NULL) or set per concept.
CREATE TABLE bkt_params (
    id         serial      PRIMARY KEY,
    concept_id uuid        UNIQUE,
    prior      real        NOT NULL,
    learn      real        NOT NULL,
    slip       real        NOT NULL,
    guess      real        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX bkt_params_default ON bkt_params ((concept_id IS NULL)) WHERE concept_id IS NULL;

CREATE TABLE preferences (
    owner_id        uuid        PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    lesson_length   text        NOT NULL DEFAULT 'concise' CHECK (lesson_length IN ('concise', 'detailed')),
    lesson_order    text        NOT NULL DEFAULT 'explanation_first'
                                CHECK (lesson_order IN ('example_first', 'explanation_first')),
    difficulty_bias real        NOT NULL DEFAULT 0 CHECK (difficulty_bias BETWEEN -1 AND 1),
    interests       text[]      NOT NULL DEFAULT '{}',
    daily_goal      integer     NOT NULL DEFAULT 3 CHECK (daily_goal BETWEEN 1 AND 100),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE learning_paths (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    targets    uuid[]      NOT NULL CHECK (cardinality(targets) BETWEEN 1 AND 100),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX learning_paths_owner ON learning_paths (owner_id, created_at DESC);
