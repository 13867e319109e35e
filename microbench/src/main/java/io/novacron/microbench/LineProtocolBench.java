package io.novacron.microbench;

import io.novacron.metrics.ingest.LineProtocolReader;
import io.novacron.metrics.ingest.SampleBatch;
import io.novacron.metrics.ingest.SampleErrors;
import io.novacron.metrics.series.MetricKind;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The line-protocol parse of one ingest batch, alone: bytes in, columns out (no validation
 * against the inventory, no database). Reported per batch; divide by {@code lines} for a sample.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LineProtocolBench {
    @Param({"5000"})
    int lines;
    /** Every field of the series, or two of them (a partial sample, as API.md's example). */
    @Param({"all", "two"})
    String fields;

    private byte[] body;

    @Setup
    public void setUp() {
        Random r = new Random(42);
        StringBuilder b = new StringBuilder();
        long ts = 1_732_443_300_000_000_000L;
        for (int i = 0; i < lines; i++) {
            b.append("vm,vm_id=").append(1 + r.nextInt(2000)).append(",host=hv-").append(r.nextInt(50))
                    .append(" cpu_usage=").append(Math.round(r.nextDouble() * 10000) / 100.0)
                    .append(",memory_usage=").append(Math.round(r.nextDouble() * 10000) / 100.0);
            if (fields.equals("all")) {
                b.append(",disk_read_bps=").append(r.nextInt(1 << 20)).append('i')
                        .append(",disk_write_bps=").append(r.nextInt(1 << 20)).append('i')
                        .append(",net_rx_bps=").append(r.nextInt(1 << 24))
                        .append(",net_tx_bps=").append(r.nextInt(1 << 24));
            }
            b.append(' ').append(ts + i * 60_000_000_000L).append('\n');
        }
        body = b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public SampleBatch parse() {
        SampleBatch vms = new SampleBatch(MetricKind.VM, lines);
        SampleBatch nodes = new SampleBatch(MetricKind.NODE, 16);
        new LineProtocolReader(lines, LineProtocolReader.Precision.NS, Long.MAX_VALUE / 2)
                .read(body, body.length, vms, nodes, new SampleErrors());
        return vms;
    }
}
