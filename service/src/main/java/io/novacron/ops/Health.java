package io.novacron.ops;

import io.javalin.http.Context;
import io.novacron.db.Database;
import io.novacron.web.Errors;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/** Liveness and readiness. Readiness means: a connection can be had now and the schema is migrated. */
public final class Health {
    private final Database db;

    public Health(Database db) {
        this.db = db;
    }

    public void healthz(Context ctx) {
        ctx.json(Map.of("status", "up"));
    }

    public void readyz(Context ctx) {
        String problem = problem();
        if (problem == null) {
            ctx.json(Map.of("status", "ready"));
            return;
        }
        ctx.header("Retry-After", Errors.RETRY_AFTER_SECONDS);
        ctx.status(503).json(Map.of("status", "unavailable",
                "error", Map.of("code", "unavailable", "message", problem, "details", Map.of())));
    }

    private String problem() {
        if (!db.migrated()) {
            return "database schema is not migrated";
        }
        try (Connection c = db.dataSource().getConnection()) {
            if (!c.isValid(1)) {
                return "database connection is not valid";
            }
            return null;
        } catch (SQLException e) {
            return "database is unreachable";
        }
    }
}
