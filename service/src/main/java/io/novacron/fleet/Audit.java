package io.novacron.fleet;

import io.novacron.db.Sql;
import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.Json;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

/**
 * Writes audit rows. Always called with the connection of the change's own transaction, so a
 * change and its audit row commit or roll back together. Details carry the changed fields,
 * never a token.
 */
final class Audit {
    /** org_id of platform-level changes (nodes); organizations are logged under their own id. */
    static final long PLATFORM = 0;

    private static final String INSERT = """
            INSERT INTO audit_log (org_id, actor, action, target_type, target_id, details)
            VALUES (?, ?, ?, ?, ?, ?::jsonb)""";

    private Audit() {
    }

    /** One audit row for the change; {@code details} is serialized as a JSON object. */
    static void record(Connection c, long orgId, Principal actor, String action, String targetType, long targetId,
                       Map<String, ?> details) throws SQLException {
        JsonNode d = Json.MAPPER.valueToTree(details);
        Sql.update(c, INSERT, orgId, actor.actor(), action, targetType, targetId, d);
    }

    /** An audit row as listed. */
    record Entry(long id, long orgId, Instant ts, String actor, String action, String targetType, long targetId,
                 JsonNode details) {
    }
}
