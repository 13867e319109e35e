package io.novacron.db;

import java.sql.SQLException;

/** An unchecked wrapper for a {@link SQLException}; the web layer maps it by SQLSTATE. */
public final class DbException extends RuntimeException {
    public DbException(SQLException cause) {
        super(cause.getMessage(), cause, false, false);
    }

    public SQLException sqlException() {
        return (SQLException) getCause();
    }

    public String sqlState() {
        return sqlException().getSQLState();
    }

    /** The violated constraint's name, when PostgreSQL reported one. */
    public String constraint() {
        return SqlStates.constraintName(sqlException());
    }
}
