package io.novacron.web;

import io.javalin.http.Context;

/**
 * Who is calling: the platform admin, or a token of one organization with a role.
 * {@code viewer} tokens read; {@code operator} tokens also change VMs and send metrics;
 * {@code admin} tokens also manage the organization's users and tokens.
 *
 * @param actor how the caller is named in the audit log ({@code admin} or {@code token:<id>})
 */
public record Principal(Long orgId, Long tokenId, String role, String actor) {
    static final String ATTRIBUTE = "novacron.principal";
    private static final Principal ADMIN = new Principal(null, null, "platform_admin", "admin");

    public static Principal admin() {
        return ADMIN;
    }

    public static Principal orgToken(long orgId, long tokenId, String role) {
        return new Principal(orgId, tokenId, role, "token:" + tokenId);
    }

    public static Principal of(Context ctx) {
        Principal p = ctx.attribute(ATTRIBUTE);
        if (p == null) {
            throw ApiException.unauthorized("missing or invalid bearer token");
        }
        return p;
    }

    public boolean isAdmin() {
        return orgId == null;
    }

    public Principal requireAdmin() {
        if (!isAdmin()) {
            throw ApiException.forbidden("this action needs the platform admin token");
        }
        return this;
    }

    /** Platform admin, or an organization token with role admin. */
    public Principal requireOrgAdmin() {
        if (!isAdmin() && !"admin".equals(role)) {
            throw ApiException.forbidden("this action needs an organization admin token");
        }
        return this;
    }

    /** Anyone but a viewer. */
    public Principal requireWriter() {
        if ("viewer".equals(role)) {
            throw ApiException.forbidden("viewer tokens are read-only");
        }
        return this;
    }

    /**
     * The organization an org-scoped call acts on. An org token always acts on its own; naming
     * another organization with {@code org_id} gets 404, as if it did not exist. The admin must
     * name one with {@code org_id}.
     */
    public long orgScope(Params params) {
        Long asked = params.optLong("org_id");
        if (!isAdmin()) {
            if (asked != null && !asked.equals(orgId)) {
                throw ApiException.notFound("organization", asked);
            }
            return orgId;
        }
        if (asked == null) {
            throw ApiException.invalid("org_id", "the platform admin must name the organization with ?org_id=");
        }
        return asked;
    }

    /** Like {@link #orgScope} but the admin may omit {@code org_id} for the whole platform (null). */
    public Long orgScopeOrPlatform(Params params) {
        if (isAdmin()) {
            return params.optLong("org_id");
        }
        return orgScope(params);
    }

    /** May this caller see objects of {@code org}? */
    public boolean sees(long org) {
        return isAdmin() || orgId == org;
    }
}
