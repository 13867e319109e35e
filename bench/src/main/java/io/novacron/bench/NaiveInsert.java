package io.novacron.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;

/**
 * The ingest baseline: a row-by-row {@code INSERT} loop, one autocommitted statement per sample,
 * as a naive agent writer would do, into a scratch table shaped like the raw samples and keyed
 * (vm_id, ts). It writes no rollups and no latest values, so it flatters the baseline. The
 * table is dropped afterwards.
 */
public final class NaiveInsert {
    /** Samples per second of the loop. */
    public record Result(long samples, double seconds, double samplesPerSecond) {
    }

    private static final String CREATE = """
            CREATE TABLE bench_naive_vm_sample (
                vm_id bigint NOT NULL, ts timestamptz NOT NULL, cpu_usage real NOT NULL, memory_usage real NOT NULL,
                disk_read_bps double precision NOT NULL, disk_write_bps double precision NOT NULL,
                net_rx_bps double precision NOT NULL, net_tx_bps double precision NOT NULL,
                PRIMARY KEY (vm_id, ts))""";
    private static final String INSERT = """
            INSERT INTO bench_naive_vm_sample VALUES (?, ?, ?, ?, ?, ?, ?, ?)""";

    private NaiveInsert() {
    }

    public static Result run(Connection c, FleetGenerator fleet, long samples) throws SQLException {
        Dataset d = fleet.dataset();
        SampleGenerator values = new SampleGenerator(fleet.seed(), fleet.anchor().toEpochMilli(), d.steps(), d.stepSeconds());
        try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS bench_naive_vm_sample");
            st.execute(CREATE);
        }
        c.setAutoCommit(true);
        long start = System.nanoTime(), n = 0;
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            outer:
            for (int step = 0; step < d.steps(); step++) {
                for (int k = 0; k < d.metricVms(); k++) {
                    if (n++ >= samples) {
                        break outer;
                    }
                    SampleGenerator.VmSample s = values.vm(fleet.metricVmId(k), step);
                    ps.setLong(1, s.vmId());
                    ps.setTimestamp(2, new Timestamp(s.tsMillis()));
                    ps.setDouble(3, s.cpuUsage());
                    ps.setDouble(4, s.memoryUsage());
                    ps.setDouble(5, s.diskReadBps());
                    ps.setDouble(6, s.diskWriteBps());
                    ps.setDouble(7, s.netRxBps());
                    ps.setDouble(8, s.netTxBps());
                    ps.executeUpdate();
                }
            }
        } finally {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS bench_naive_vm_sample");
            }
        }
        long done = Math.min(n, samples);
        double secs = (System.nanoTime() - start) / 1e9;
        return new Result(done, secs, done / secs);
    }
}
