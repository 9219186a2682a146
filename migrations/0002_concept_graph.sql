-- The concept graph (the default graph store). A concept or edge is supported by the
-- documents it was extracted from, and is deleted when the last of them withdraws.
-- Document ids carry no foreign key: documents live in a later migration, and the graph
-- store withdraws a document's support itself when the document goes.
CREATE TABLE concepts (
    id         uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id   uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key        text    NOT NULL CHECK (key <> ''),
    title      text    NOT NULL,
    summary    text    NOT NULL,
    level      integer NOT NULL,
    key_points jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(key_points) = 'array'),
    -- The lowest position any supporting document gives the concept.
    position   integer NOT NULL,
    UNIQUE (owner_id, key),
    -- Lets edges require both ends to have the edge's owner.
    UNIQUE (owner_id, id)
);
CREATE INDEX concepts_owner_position ON concepts (owner_id, position);

CREATE TABLE concept_documents (
    concept_id  uuid    NOT NULL REFERENCES concepts (id) ON DELETE CASCADE,
    document_id uuid    NOT NULL,
    -- The concept's position in this document's draft.
    position    integer NOT NULL,
    PRIMARY KEY (concept_id, document_id)
);
CREATE INDEX concept_documents_document ON concept_documents (document_id);

CREATE TABLE concept_edges (
    owner_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_id uuid NOT NULL,
    target_id uuid NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('part_of', 'prerequisite')),
    weight    real NOT NULL CHECK (weight BETWEEN 0 AND 1),
    origin    text NOT NULL,
    PRIMARY KEY (source_id, target_id, kind),
    CHECK (source_id <> target_id),
    FOREIGN KEY (owner_id, source_id) REFERENCES concepts (owner_id, id) ON DELETE CASCADE,
    FOREIGN KEY (owner_id, target_id) REFERENCES concepts (owner_id, id) ON DELETE CASCADE
);
CREATE INDEX concept_edges_owner ON concept_edges (owner_id, kind);
CREATE INDEX concept_edges_target ON concept_edges (owner_id, target_id);

CREATE TABLE concept_edge_documents (
    source_id   uuid NOT NULL,
    target_id   uuid NOT NULL,
    kind        text NOT NULL,
    document_id uuid NOT NULL,
    PRIMARY KEY (source_id, target_id, kind, document_id),
    FOREIGN KEY (source_id, target_id, kind)
        REFERENCES concept_edges (source_id, target_id, kind) ON DELETE CASCADE
);
CREATE INDEX concept_edge_documents_document ON concept_edge_documents (document_id);
