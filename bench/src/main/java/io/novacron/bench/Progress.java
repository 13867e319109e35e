package io.novacron.bench;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load progress: rows done, rate and ETA. On a terminal one line redrawn in place (at most 5
 * times a second); otherwise a plain line every 10 seconds, which reads well in CI logs.
 */
public final class Progress {
    private final String label;
    private final long total;
    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private volatile long lastPrintNanos;

    public Progress(String label, long total, PrintStream out, boolean terminal) {
        this.label = label;
        this.total = Math.max(1, total);
        this.out = out;
        this.terminal = terminal;
    }

    /** A progress reporter for stdout, redrawn in place when stdout is a terminal. */
    public static Progress onStdout(String label, long total) {
        return new Progress(label, total, System.out, System.console() != null);
    }

    public void add(long rows) {
        long now = System.nanoTime();
        done.addAndGet(rows);
        long interval = terminal ? 200_000_000L : 10_000_000_000L;
        if (now - lastPrintNanos >= interval) {
            synchronized (this) {
                if (now - lastPrintNanos >= interval) {
                    lastPrintNanos = now;
                    print(false);
                }
            }
        }
    }

    public synchronized void finish() {
        print(true);
    }

    private void print(boolean last) {
        long d = done.get();
        double secs = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
        double rate = d / secs;
        long eta = rate > 0 ? (long) (Math.max(0, total - d) / rate) : -1;
        String line = String.format("%s %s %,d/%,d rows %,.0f rows/s %s", label, bar(Math.min(1.0, (double) d / total)),
                d, total, rate, last ? String.format("in %.1f s", secs) : "ETA " + clock(eta));
        if (terminal) {
            out.print("\r" + line + (last ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private static String bar(double fraction) {
        int width = 30, full = (int) Math.round(fraction * width);
        return "[" + "=".repeat(full) + " ".repeat(width - full) + "] " + String.format("%3.0f%%", fraction * 100);
    }

    private static String clock(long seconds) {
        return seconds < 0 ? "?" : String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
