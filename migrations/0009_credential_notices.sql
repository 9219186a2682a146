-- Open WebSockets end with the credentials they were opened with: when a session or an
-- API token is revoked or removed, PostgreSQL tells every server process listening on
-- 'tutor_credentials' whose learner it was (the learner's id only, never a secret), and
-- their connections check again at once.

CREATE FUNCTION notify_credentials_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('tutor_credentials', OLD.user_id::text);
    ELSIF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
        PERFORM pg_notify('tutor_credentials', NEW.user_id::text);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_changed
    AFTER UPDATE OF revoked_at OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();

CREATE TRIGGER api_tokens_changed
    AFTER UPDATE OF revoked_at OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION notify_credentials_changed();
