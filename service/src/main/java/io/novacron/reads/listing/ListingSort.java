package io.novacron.reads.listing;

import io.novacron.web.ApiException;
import io.novacron.web.Cursor;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sort of the VM listing: one column plus {@code id} as tie-breaker, both in the same direction,
 * so that (column, id) is a total order a keyset cursor can resume from.
 */
record ListingSort(String column, boolean descending) {
    private static final List<String> COLUMNS = List.of("created_at", "name", "cpu_cores", "memory_mb");
    static final ListingSort DEFAULT = new ListingSort("created_at", true);

    static ListingSort parse(String s) {
        if (s == null) {
            return DEFAULT;
        }
        boolean desc = s.startsWith("-");
        String col = desc ? s.substring(1) : s;
        if (!COLUMNS.contains(col)) {
            throw ApiException.invalid("sort", "unknown sort '" + s + "'", Map.of("allowed", COLUMNS));
        }
        return new ListingSort(col, desc);
    }

    /** As given in {@code sort=}; cursors remember it so they are refused under another sort. */
    String token() {
        return (descending ? "-" : "") + column;
    }

    String orderBy() {
        return orderBy("");
    }

    /** The ORDER BY list on the columns of {@code qualifier} (e.g. "k."). */
    String orderBy(String qualifier) {
        String dir = descending ? " DESC" : "";
        return qualifier + column + dir + ", " + qualifier + "id" + dir;
    }

    /** The keyset condition after a cursor: rows strictly beyond (value, id) in this order. */
    String after() {
        return "(" + column + ", id) " + (descending ? "<" : ">") + " (?, ?)";
    }

    List<Object> keyOf(VmListing.Vm vm) {
        Object v = switch (column) {
            case "created_at" -> vm.createdAt().toString();
            case "name" -> vm.name();
            case "cpu_cores" -> vm.cpuCores();
            default -> vm.memoryMb();
        };
        return List.of(v, vm.id());
    }

    /** The cursor's sort value, typed for binding. */
    Object valueOf(List<Object> key) {
        return switch (column) {
            case "created_at" -> {
                try {
                    yield Instant.parse(Cursor.stringAt(key, 0));
                } catch (java.time.format.DateTimeParseException e) {
                    throw ApiException.invalid("cursor", "cursor is malformed");
                }
            }
            case "name" -> Cursor.stringAt(key, 0);
            default -> Cursor.longAt(key, 0);
        };
    }
}
