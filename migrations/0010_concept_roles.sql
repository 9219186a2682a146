-- What each concept is for, and the terms it introduces. Only 'teachable' concepts are
-- planned, tested and mastered; a 'chapter' groups teachable parts, and front matter,
-- back matter and navigation are kept for the outline and for search.
ALTER TABLE concepts
    ADD COLUMN role text NOT NULL DEFAULT 'teachable'
        CHECK (role IN ('teachable', 'chapter', 'front_matter', 'back_matter', 'navigation')),
    -- Case-folded terms the concept introduces (defines), in the order met.
    ADD COLUMN terms jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(terms) = 'array');

CREATE INDEX concepts_owner_role ON concepts (owner_id, role);
