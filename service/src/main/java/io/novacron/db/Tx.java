package io.novacron.db;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs work in one transaction on a pooled connection. Deadlocks and serialization failures
 * (SQLSTATE 40P01, 40001) are retried a few times: the work is re-run from the start, so it must
 * only touch the database.
 */
public final class Tx {
    private static final int MAX_ATTEMPTS = 3;

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource ds;
    private final ReplicaRouter replicas;

    /** Everything on {@code ds}. */
    public Tx(DataSource ds) {
        this(ds, ReplicaRouter.NONE);
    }

    /** Writes on the primary {@code ds}; {@link #read}s where {@code replicas} sends them. */
    public Tx(DataSource ds, ReplicaRouter replicas) {
        this.ds = ds;
        this.replicas = replicas;
    }

    public ReplicaRouter replicas() {
        return replicas;
    }

    public <T> T inTransaction(Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    replicas.committed(c); // never throws: the commit must not be re-run
                    return result;
                } catch (Throwable t) {
                    rollbackQuietly(c, t);
                    throw t;
                } finally {
                    restoreAutoCommit(c);
                }
            } catch (SQLException e) {
                if (attempt < MAX_ATTEMPTS && SqlStates.isRetryable(e)) {
                    continue;
                }
                throw new DbException(e);
            }
        }
    }

    /**
     * Runs read-only work in autocommit mode (one statement, or a consistent-enough sequence), on
     * a replica that has replayed every commit this instance knows of, or on the primary
     * ({@link ReplicaRouter}). It may run twice (a replica failed mid-way): it must only read.
     */
    public <T> T read(Work<T> work) {
        try {
            return replicas.read(work, ds);
        } catch (SQLException e) {
            throw new DbException(e);
        }
    }

    /**
     * Runs read-only work on the primary: token checks, reads that decide a write, statements a
     * standby refuses (VACUUM), and the primary's own statistics.
     */
    public <T> T readPrimary(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DbException(e);
        }
    }

    /**
     * A connection the server terminated mid-transaction is already closed by the pool; failing
     * here would replace the real error (e.g. 57P01, mapped to 503) with one that has no SQLSTATE.
     */
    private static void restoreAutoCommit(Connection c) {
        try {
            if (!c.isClosed()) {
                c.setAutoCommit(true);
            }
        } catch (SQLException ignored) {
            // the pool discards a broken connection; the transaction's own outcome stands
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
