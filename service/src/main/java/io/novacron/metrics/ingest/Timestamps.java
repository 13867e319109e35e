package io.novacron.metrics.ingest;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * RFC 3339 parsing on the ingest hot path. {@link OffsetDateTime#parse} costs about a
 * microsecond per call, a tenth of the whole per-sample budget, so the common shape
 * {@code 2026-11-24T10:15:00[.fff…](Z|±hh:mm)} is decoded by hand; anything else falls back to
 * the JDK parser. Precision is the microsecond, PostgreSQL's.
 */
final class Timestamps {
    private Timestamps() {
    }

    /** Epoch microseconds of an RFC 3339 timestamp; throws IllegalArgumentException if malformed. */
    static long parseRfc3339Micros(String s) {
        int n = s.length();
        if (n >= 20 && s.charAt(4) == '-' && s.charAt(7) == '-' && (s.charAt(10) == 'T' || s.charAt(10) == 't')
                && s.charAt(13) == ':' && s.charAt(16) == ':') {
            int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
            int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
            int i = 19;
            long micros = 0;
            if (i < n && s.charAt(i) == '.') {
                i++;
                int start = i;
                long scale = 100_000;
                while (i < n && Character.isDigit(s.charAt(i))) {
                    micros += (s.charAt(i) - '0') * scale;
                    scale /= 10;
                    i++;
                }
                if (i == start) {
                    throw new IllegalArgumentException("empty fraction");
                }
            }
            int offsetSeconds;
            if (i == n - 1 && (s.charAt(i) == 'Z' || s.charAt(i) == 'z')) {
                offsetSeconds = 0;
            } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
                int off = digits(s, i + 1, 2) * 3600 + digits(s, i + 4, 2) * 60;
                offsetSeconds = s.charAt(i) == '+' ? off : -off;
            } else {
                return jdk(s);
            }
            if (month < 1 || month > 12 || day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()
                    || hour > 23 || minute > 59 || second > 59) {
                throw new IllegalArgumentException("field out of range");
            }
            long days = java.time.LocalDate.of(year, month, day).toEpochDay();
            long epochSeconds = days * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds;
            return epochSeconds * 1_000_000 + micros;
        }
        return jdk(s);
    }

    private static long jdk(String s) {
        try {
            OffsetDateTime t = OffsetDateTime.parse(s);
            return t.toEpochSecond() * 1_000_000 + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a digit");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
