package io.novacron.db;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Classifies database errors by SQLSTATE, never by message text. */
public final class SqlStates {
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String FOREIGN_KEY_VIOLATION = "23503";
    public static final String CHECK_VIOLATION = "23514";
    public static final String QUERY_CANCELED = "57014";
    /** lock_timeout expired. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";
    /** E.g. an extension installed but not in shared_preload_libraries. */
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    public static final String DUPLICATE_DATABASE = "42P04";
    public static final String CONNECTION_FAILURE = "08006";
    public static final String DEADLOCK_DETECTED = "40P01";
    public static final String SERIALIZATION_FAILURE = "40001";

    private SqlStates() {
    }

    /** Deadlock or serialization failure: the transaction may simply be run again. */
    public static boolean isRetryable(SQLException e) {
        String s = e.getSQLState();
        return DEADLOCK_DETECTED.equals(s) || SERIALIZATION_FAILURE.equals(s);
    }

    /**
     * The database cannot be reached or is going away: pool timeout, connection failure (class 08),
     * server shutdown or not accepting connections (57P01..57P03), or too many connections (53300).
     */
    public static boolean isUnavailable(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true;
        }
        String s = e.getSQLState();
        return s != null && (s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03")
                || s.equals("53300"));
    }

    static String constraintName(SQLException e) {
        if (e instanceof PSQLException pe) {
            ServerErrorMessage m = pe.getServerErrorMessage();
            return m == null ? null : m.getConstraint();
        }
        return null;
    }
}
