-- Service instances keep the principals of org tokens they have checked (ReadCache.principal).
-- Any change to an existing token (revocation, or any UPDATE/DELETE a migration or an operator
-- makes by hand) tells every instance, at commit, to forget them all. Inserts need no notice:
-- only tokens found valid are kept. One notification per statement, not per row.
CREATE FUNCTION api_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('novacron_changes', 'tokens');
    RETURN NULL;
END
$$;

CREATE TRIGGER api_token_changed
    AFTER UPDATE OR DELETE OR TRUNCATE ON api_token
    FOR EACH STATEMENT EXECUTE FUNCTION api_token_changed();
