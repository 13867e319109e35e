package io.novacron.reads.monitoring;

import io.novacron.web.ApiException;
import io.novacron.web.Cursor;
import java.util.List;
import java.util.Map;

/**
 * The sorts of the monitoring lists: {@code -cpu_usage} (default), {@code -memory_usage} (highest
 * first, id descending as tie-breaker; series that never sent the metric last) and {@code name}
 * (ascending, id ascending).
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

    /**
     * The page statement: {@code selectFrom} (its parameters in {@code selectArgs}) filtered by
     * {@code where}, after {@code cursor}, {@code limit + 1} rows; its parameters go to {@code args}.
     * A usage sort puts the rows whose metric is unknown (NULL in the latest values: the series
     * never sent it) after all others, by id descending: two index walks (values, then NULLs),
     * each stopping after a page, merged by one small sort. A cursor's value is null in that tail.
     */
    String pageSql(String selectFrom, List<Object> selectArgs, String where, List<Object> whereArgs, List<Object> cursor, int limit,
                   List<Object> args) {
        if (byName()) {
            args.addAll(selectArgs);
            args.addAll(whereArgs);
            StringBuilder sql = new StringBuilder(selectFrom).append(" WHERE ").append(where);
            if (cursor != null) {
                sql.append(" AND (").append(column).append(", ").append(idColumn).append(") > (?, ?)");
                args.add(valueOf(cursor));
                args.add(Cursor.longAt(cursor, 1));
            }
            args.add(limit + 1);
            return sql.append(" ORDER BY ").append(column).append(", ").append(idColumn).append(" LIMIT ?").toString();
        }
        Double after = cursor == null ? null : (Double) valueOf(cursor);
        boolean inNullTail = cursor != null && after == null;
        StringBuilder known = new StringBuilder("(").append(selectFrom).append(" WHERE ").append(where)
                .append(" AND ").append(column).append(" IS NOT NULL");
        args.addAll(selectArgs);
        args.addAll(whereArgs);
        if (inNullTail) {
            known.append(" AND false");
        } else if (cursor != null) {
            known.append(" AND (").append(column).append(", ").append(idColumn).append(") < (?::float8, ?)");
            args.add(after);
            args.add(Cursor.longAt(cursor, 1));
        }
        known.append(" ORDER BY ").append(column).append(" DESC, ").append(idColumn).append(" DESC LIMIT ?)");
        args.add(limit + 1);
        StringBuilder unknown = new StringBuilder("(").append(selectFrom).append(" WHERE ").append(where)
                .append(" AND ").append(column).append(" IS NULL");
        args.addAll(selectArgs);
        args.addAll(whereArgs);
        if (inNullTail) {
            unknown.append(" AND ").append(idColumn).append(" < ?");
            args.add(Cursor.longAt(cursor, 1));
        }
        unknown.append(" ORDER BY ").append(idColumn).append(" DESC LIMIT ?)");
        args.add(limit + 1);
        String out = column.substring(column.indexOf('.') + 1);
        args.add(limit + 1);
        return "SELECT * FROM (" + known + " UNION ALL " + unknown + ") p ORDER BY p." + out + " DESC NULLS LAST, p.id DESC LIMIT ?";
    }

    /** The cursor's sort value: a name, a usage value, or null for a usage that is unknown. */
    Object valueOf(List<Object> key) {
        Object v = key.get(0);
        if (byName()) {
            return Cursor.stringAt(key, 0);
        }
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw ApiException.invalid("cursor", "cursor is malformed");
    }
}
