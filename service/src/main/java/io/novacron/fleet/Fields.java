package io.novacron.fleet;

import io.novacron.web.ApiException;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.util.Map;

/** Checks of request fields shared by the inventory routes, and the organization a by-id request is confined to. */
final class Fields {
    private Fields() {
    }

    /**
     * The organization a by-id lookup is confined to: an org token's own; for the admin the
     * {@code org_id} it named, or null (any organization, the id alone is unique).
     */
    static Long scopeForId(Principal p, Params params) {
        if (p.isAdmin()) {
            return params.optLong("org_id");
        }
        return p.orgScope(params);
    }

    /** Sizes arrive as JSON numbers; out of the schema's range is a 400 naming the field. */
    static void requireRange(String field, Long value, long min, long max) {
        if (value == null) {
            throw ApiException.invalid(field, "'" + field + "' is required");
        }
        if (value < min || value > max) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + min + " and " + max,
                    Map.of("min", min, "max", max));
        }
    }

    static String requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field, "'" + field + "' is required and must not be blank");
        }
        if (value.length() > maxLength) {
            throw ApiException.invalid(field, "'" + field + "' must be at most " + maxLength + " characters");
        }
        return value;
    }

    static String requireRole(String field, String role) {
        if (!"admin".equals(role) && !"operator".equals(role) && !"viewer".equals(role)) {
            throw ApiException.invalid(field, "'" + field + "' must be one of admin, operator, viewer");
        }
        return role;
    }
}
