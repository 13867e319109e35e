package io.novacron.bench;

import com.github.luben.zstd.Zstd;
import io.novacron.metrics.block.BlockCodec;
import io.novacron.metrics.block.SeriesBlock;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The near-limit reference for packed history: the same per-series, per-hour column streams the
 * block codec encodes (timestamps as 8-byte µs, each value column as its 8-byte doubles, a
 * presence bitmap when a column has gaps), compressed by zstd at its highest level (22), each
 * stream alone and the block's streams as one frame, against the codec's bytes. Reads a sample of
 * the VM blocks (every k-th by the key order), decodes them and compares payload bytes only: the
 * row and index overhead of a block is the same whichever encoding its data column holds.
 */
public final class PackedReference {
    public record Result(long blocks, long samples, long codecBytes, long zstdPerColumnBytes, long zstdPerBlockBytes) {
        public double codecPerSample() {
            return samples == 0 ? 0 : (double) codecBytes / samples;
        }

        public double zstdColumnPerSample() {
            return samples == 0 ? 0 : (double) zstdPerColumnBytes / samples;
        }

        public double zstdBlockPerSample() {
            return samples == 0 ? 0 : (double) zstdPerBlockBytes / samples;
        }
    }

    static final int LEVEL = 22;

    private PackedReference() {
    }

    /** @param maxBlocks blocks to sample (TABLESAMPLE-free: the first ones in key order of a spread of series) */
    public static Result measure(Connection c, int maxBlocks) throws SQLException {
        long blocks = 0, samples = 0, codec = 0, perColumn = 0, perBlock = 0;
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT data FROM vm_metric_block ORDER BY vm_id % 97, org_id, vm_id, block_start LIMIT " + maxBlocks)) {
            while (rs.next()) {
                byte[] data = rs.getBytes(1);
                SeriesBlock b = BlockCodec.decode(data);
                blocks++;
                samples += b.size();
                codec += data.length;
                ByteBuffer all = ByteBuffer.allocate(b.size() * 8 * (1 + b.columns()) + b.columns() * (b.size() / 8 + 1));
                ByteBuffer ts = ByteBuffer.allocate(b.size() * 8);
                for (long t : b.ts()) {
                    ts.putLong(t);
                }
                perColumn += Zstd.compress(ts.array(), LEVEL).length;
                all.put(ts.array());
                for (int col = 0; col < b.columns(); col++) {
                    ByteBuffer v = ByteBuffer.allocate(b.size() * 8 + b.size() / 8 + 1);
                    byte[] bitmap = new byte[b.size() / 8 + 1];
                    boolean gaps = false;
                    for (int i = 0; i < b.size(); i++) {
                        if (b.has(col, i)) {
                            v.putDouble(b.values()[col][i]);
                            bitmap[i >>> 3] |= (byte) (1 << (i & 7));
                        } else {
                            gaps = true;
                        }
                    }
                    if (gaps) {
                        v.put(bitmap);
                    }
                    byte[] stream = java.util.Arrays.copyOf(v.array(), v.position());
                    perColumn += Zstd.compress(stream, LEVEL).length;
                    all.put(stream);
                }
                perBlock += Zstd.compress(java.util.Arrays.copyOf(all.array(), all.position()), LEVEL).length;
            }
        }
        return new Result(blocks, samples, codec, perColumn, perBlock);
    }

    /** {@code java -cp novacron.jar:novacron-bench.jar io.novacron.bench.PackedReference <jdbc-url> [blocks]} */
    public static void main(String[] args) throws Exception {
        try (Connection c = java.sql.DriverManager.getConnection(args[0], System.getProperty("user", "postgres"), "")) {
            Result r = measure(c, args.length > 1 ? Integer.parseInt(args[1]) : 20_000);
            System.out.printf(java.util.Locale.ROOT, "blocks %,d, samples %,d: codec %.2f B/sample, zstd-%d per column %.2f, per block %.2f%n",
                    r.blocks(), r.samples(), r.codecPerSample(), LEVEL, r.zstdColumnPerSample(), r.zstdBlockPerSample());
        }
    }
}
