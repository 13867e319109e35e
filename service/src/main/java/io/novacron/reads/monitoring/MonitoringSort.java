package io.novacron.reads.monitoring;

import io.novacron.web.ApiException;
import io.novacron.web.Cursor;
import java.util.List;
import java.util.Map;

/**
 * The sorts of the monitoring lists: {@code -cpu_usage} (default), {@code -memory_usage} (highest
 * first, id descending as tie-breaker) and {@code name} (ascending, id ascending).
 *
 * @param column the qualified sort column, e.g. {@code l.cpu_usage}; {@code idColumn} likewise
 */
record MonitoringSort(String token, String column, String idColumn, boolean descending) {

    static MonitoringSort parse(String s, String latestAlias, String entityAlias, String idColumn) {
        String token = s == null ? "-cpu_usage" : s;
        return switch (token) {
            case "-cpu_usage" -> new MonitoringSort(token, latestAlias + ".cpu_usage", idColumn, true);
            case "-memory_usage" -> new MonitoringSort(token, latestAlias + ".memory_usage", idColumn, true);
            case "name" -> new MonitoringSort(token, entityAlias + ".name", idColumn, false);
            default -> throw ApiException.invalid("sort", "unknown sort '" + s + "'",
                    Map.of("allowed", List.of("-cpu_usage", "-memory_usage", "name")));
        };
    }

    boolean byName() {
        return token.equals("name");
    }

    String orderBy() {
        String dir = descending ? " DESC" : "";
        return column + dir + ", " + idColumn + dir;
    }

    /** Rows strictly after the cursor's (value, id); usage values are real, so the bound is cast to real. */
    String after() {
        return "(" + column + ", " + idColumn + ") " + (descending ? "<" : ">") + (byName() ? " (?, ?)" : " (?::real, ?)");
    }

    Object valueOf(List<Object> key) {
        if (byName()) {
            return Cursor.stringAt(key, 0);
        }
        Object v = key.get(0);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw ApiException.invalid("cursor", "cursor is malformed");
    }
}
