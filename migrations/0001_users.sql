-- Learners. Every row of every later table belongs to one of them (its owner).
CREATE TABLE users (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Until accounts exist, everything belongs to this one local learner.
INSERT INTO users (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'local');
