package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;
import java.nio.charset.StandardCharsets;

/**
 * A hand-written InfluxDB line protocol parser for the two measurements the service stores:
 * <pre>vm,vm_id=42 cpu_usage=12.5,memory_usage=40,... 1732443300000000000
 * node,node_id=7 cpu_usage=3,memory_usage=20,disk_usage=50,load_1m=0.5,... 1732443300000000000</pre>
 * A line carries any non-empty subset of the kind's six fields (a field not sent is absent for
 * that sample, not zero); other tags (Telegraf adds {@code host}) are ignored; integer fields
 * may carry InfluxDB's {@code i}/{@code u} suffix; a line without a
 * timestamp takes the time of arrival. Sample indexes in errors count the non-empty,
 * non-comment lines from 0. It scans the body's bytes once and allocates only for names.
 */
public final class LineProtocolReader {
    /** The {@code precision} query parameter: timestamp units. */
    public enum Precision {
        NS, US, MS, S;

        long toMicros(long v) {
            return switch (this) {
                case NS -> Math.floorDiv(v, 1000L);
                case US -> v;
                case MS -> Math.multiplyExact(v, 1000L);
                case S -> Math.multiplyExact(v, 1_000_000L);
            };
        }
    }

    private final int maxSamples;
    private final Precision precision;
    private final long nowMicros;

    public LineProtocolReader(int maxSamples, Precision precision, long nowMicros) {
        this.maxSamples = maxSamples;
        this.precision = precision;
        this.nowMicros = nowMicros;
    }

    /** Parses {@code body}; samples go to {@code vms} or {@code nodes} by measurement. */
    public void read(byte[] body, int length, SampleBatch vms, SampleBatch nodes, SampleErrors errors) {
        double[] v = new double[MetricKind.METRICS];
        int index = 0;
        int pos = 0;
        while (pos < length) {
            int end = pos;
            while (end < length && body[end] != '\n') {
                end++;
            }
            int s = pos;
            while (s < end && (body[s] == ' ' || body[s] == '\t' || body[s] == '\r')) {
                s++;
            }
            int e = end;
            while (e > s && (body[e - 1] == '\r' || body[e - 1] == ' ')) {
                e--;
            }
            if (s < e && body[s] != '#') {
                if (index >= maxSamples) {
                    throw IngestLimits.tooManySamples(maxSamples);
                }
                String problem = parseLine(body, s, e, vms, nodes, index, v, errors);
                if (problem != null) {
                    errors.malformed(index, "line", problem);
                }
                index++;
            }
            pos = end + 1;
        }
    }

    /** Returns null when the line was added (or its field errors reported), else why it is malformed. */
    private String parseLine(byte[] b, int s, int e, SampleBatch vms, SampleBatch nodes, int index, double[] v,
                             SampleErrors errors) {
        int p = s;
        while (p < e && b[p] != ',' && b[p] != ' ') {
            p = b[p] == '\\' ? p + 2 : p + 1;
        }
        String measurement = new String(b, s, Math.min(p, e) - s, StandardCharsets.UTF_8);
        MetricKind kind = measurement.equals("vm") ? MetricKind.VM : measurement.equals("node") ? MetricKind.NODE : null;
        if (kind == null) {
            return "unknown measurement '" + measurement + "' (expected vm or node)";
        }
        long id = -1;
        boolean idSeen = false;
        while (p < e && b[p] == ',') {
            int ks = ++p;
            while (p < e && b[p] != '=' && b[p] != ' ' && b[p] != ',') {
                p = b[p] == '\\' ? p + 2 : p + 1;
            }
            if (p >= e || b[p] != '=') {
                return "malformed tag";
            }
            String key = new String(b, ks, p - ks, StandardCharsets.UTF_8);
            int vs = ++p;
            while (p < e && b[p] != ',' && b[p] != ' ') {
                p = b[p] == '\\' ? p + 2 : p + 1;
            }
            if (key.equals(kind.idField())) {
                if (idSeen) {
                    return "tag " + key + " given twice";
                }
                idSeen = true;
                id = parseLong(b, vs, p);
                if (id < 0) {
                    return "tag " + key + " must be a non-negative integer";
                }
            }
        }
        if (!idSeen) {
            return "tag " + kind.idField() + " is required";
        }
        if (p >= e || b[p] != ' ') {
            return "fields are required";
        }
        p++;
        int seen = 0;
        boolean ok = true;
        while (true) {
            int ks = p;
            while (p < e && b[p] != '=' && b[p] != ' ' && b[p] != ',') {
                p = b[p] == '\\' ? p + 2 : p + 1;
            }
            if (p >= e || b[p] != '=') {
                return "malformed field";
            }
            String key = new String(b, ks, p - ks, StandardCharsets.UTF_8);
            int vs = ++p;
            if (p < e && b[p] == '"') {
                return "field " + key + " must be numeric, not a string";
            }
            while (p < e && b[p] != ',' && b[p] != ' ') {
                p++;
            }
            int m = kind.metricIndex(key);
            if (m < 0) {
                errors.malformed(index, key, "unknown field");
                ok = false;
            } else {
                double d = parseNumber(b, vs, p);
                if (d != d && !isNaNLiteral(b, vs, p)) {
                    errors.malformed(index, key, "must be a number");
                    ok = false;
                } else if ((seen & (1 << m)) != 0) {
                    errors.malformed(index, key, "given twice");
                    ok = false;
                }
                v[m] = d;
                seen |= 1 << m;
            }
            if (p < e && b[p] == ',') {
                p++;
                continue;
            }
            break;
        }
        long ts;
        if (p >= e) {
            ts = nowMicros;
        } else {
            p++;
            long raw = parseSignedLong(b, p, e);
            if (raw == Long.MIN_VALUE) {
                return "the timestamp must be an integer";
            }
            try {
                ts = precision.toMicros(raw);
            } catch (ArithmeticException overflow) {
                return "the timestamp is out of range";
            }
        }
        if (ok) {
            (kind == MetricKind.VM ? vms : nodes).add(index, id, ts, v, seen);
        }
        return null;
    }

    private static boolean isNaNLiteral(byte[] b, int s, int e) {
        String t = new String(b, s, e - s, StandardCharsets.US_ASCII);
        return t.equalsIgnoreCase("nan");
    }

    /** A float, or an integer with an optional i/u suffix; NaN when malformed (or the literal NaN). */
    private static double parseNumber(byte[] b, int s, int e) {
        if (e > s && (b[e - 1] == 'i' || b[e - 1] == 'u')) {
            long l = parseSignedLong(b, s, e - 1);
            return l == Long.MIN_VALUE ? Double.NaN : l;
        }
        if (e == s) {
            return Double.NaN;
        }
        String t = new String(b, s, e - s, StandardCharsets.US_ASCII);
        char c0 = t.charAt(0);
        if (!(Character.isDigit(c0) || c0 == '-' || c0 == '+' || c0 == '.') && !t.equalsIgnoreCase("nan")
                && !t.equalsIgnoreCase("inf") && !t.equalsIgnoreCase("-inf")) {
            return Double.NaN;
        }
        try {
            return t.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY
                    : t.equalsIgnoreCase("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(t);
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
    }

    /** Non-negative decimal, or -1. */
    private static long parseLong(byte[] b, int s, int e) {
        if (e <= s || e - s > 18) {
            return -1;
        }
        long v = 0;
        for (int i = s; i < e; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            v = v * 10 + (b[i] - '0');
        }
        return v;
    }

    /** Signed decimal (up to 19 digits), or Long.MIN_VALUE when malformed. */
    private static long parseSignedLong(byte[] b, int s, int e) {
        boolean neg = s < e && b[s] == '-';
        int i = neg ? s + 1 : s;
        if (e <= i || e - i > 19) {
            return Long.MIN_VALUE;
        }
        long v = 0;
        for (; i < e; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return Long.MIN_VALUE;
            }
            v = v * 10 + (b[i] - '0');
            if (v < 0) {
                return Long.MIN_VALUE;
            }
        }
        return neg ? -v : v;
    }
}
