package io.novacron.web;

import io.javalin.http.Context;
import io.novacron.cache.KeptPrincipals;
import io.novacron.cache.ReadCache;
import io.novacron.db.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Resolves the bearer token of every {@code /api/v1/*} request into a {@link Principal}. Org
 * tokens are looked up by hash (an index probe); the cache keeps found principals until any token
 * changes ({@link KeptPrincipals}), so a revocation is effective at once on the instance
 * that revoked and within the change feed's delay (milliseconds) on every other.
 */
public final class Auth {
    // api_token_hash_idx (token_hash) WHERE revoked_at IS NULL
    private static final String FIND_TOKEN = """
            SELECT org_id, id, role FROM api_token
            WHERE token_hash = ? AND revoked_at IS NULL""";

    private final Tx tx;
    private final String adminToken;
    private final KeptPrincipals<Principal> principals;

    public Auth(Tx tx, String adminToken, ReadCache cache) {
        this.tx = tx;
        this.adminToken = adminToken;
        this.principals = cache.keptPrincipals();
    }

    public void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            throw ApiException.unauthorized("missing bearer token: send Authorization: Bearer <token>");
        }
        String token = header.substring(7).trim();
        ctx.attribute(Principal.ATTRIBUTE, resolve(token));
    }

    /**
     * Authenticates a token that arrived elsewhere than in a bearer header (the InfluxDB-compatible
     * routes: {@code p=}, HTTP Basic, {@code Authorization: Token}); 401 when it is not valid.
     */
    public Principal authenticate(Context ctx, String token) {
        if (token == null || token.isBlank()) {
            throw ApiException.unauthorized("missing token: send the organization token as the password or as Authorization: Token <token>");
        }
        Principal p = resolve(token.trim());
        ctx.attribute(Principal.ATTRIBUTE, p);
        return p;
    }

    Principal resolve(String token) {
        if (adminToken != null && Tokens.sameSecret(token, adminToken)) {
            return Principal.admin();
        }
        byte[] hash = Tokens.hash(token);
        Principal p = principals.get(hash, () -> tx.readPrimary(c -> {
            try (PreparedStatement ps = c.prepareStatement(FIND_TOKEN)) {
                ps.setBytes(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Principal.orgToken(rs.getLong(1), rs.getLong(2), rs.getString(3)) : null;
                }
            }
        }));
        if (p == null) {
            throw ApiException.unauthorized("invalid or revoked token");
        }
        return p;
    }
}
