package io.novacron.cache;

/**
 * What a cached answer depends on: one organization's data, or platform-level data (nodes, node
 * samples, and the sums over all organizations). It is also the invalidation unit: a change
 * notification names a scope ({@code <org_id>} or {@code platform}).
 */
public record Scope(Long orgId) {
    public static final Scope PLATFORM = new Scope(null);

    public static Scope org(long orgId) {
        return new Scope(orgId);
    }

    /** {@code org:42} or {@code platform}; the key prefix in both tiers. */
    public String key() {
        return orgId == null ? "platform" : "org:" + orgId;
    }

    /** The scope named by a {@code novacron_changes} payload, or null if it names none. */
    static Scope fromPayload(String payload) {
        if ("platform".equals(payload)) {
            return PLATFORM;
        }
        try {
            return org(Long.parseLong(payload.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
