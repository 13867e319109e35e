package io.novacron.reads.listing;

import io.novacron.fleet.VmState;
import io.novacron.web.ApiException;
import io.novacron.web.Cursor;
import io.novacron.web.Params;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The validated query of one listing request. {@link #where} assembles the WHERE clause from
 * fixed fragments only; every value the client gave is a bind parameter.
 */
record ListingFilter(long org, List<String> states, Long nodeId, Long ownerId, List<String> tags, String q,
                     Instant createdAfter, Instant createdBefore, ListingSort sort, int limit, List<Object> cursor,
                     Long carriedEstimate) {
    static ListingFilter parse(long org, Params p) {
        List<String> states = p.list("state");
        states.forEach(s -> VmState.parse("state", s));
        List<String> tags = p.list("tag");
        for (String t : tags) {
            if (t.isEmpty() || t.length() > 200) {
                throw ApiException.invalid("tag", "tag must be 1 to 200 characters");
            }
        }
        String q = p.optString("q");
        if (q != null && (q.isEmpty() || q.length() > 200)) {
            throw ApiException.invalid("q", "q must be 1 to 200 characters");
        }
        ListingSort sort = ListingSort.parse(p.optString("sort"));
        List<Object> cursor = Cursor.decode(p.optString("cursor"), sort.token(), 2);
        if (cursor != null) {
            Cursor.longAt(cursor, 1);
            sort.valueOf(cursor);
        }
        ListingFilter f = new ListingFilter(org, List.copyOf(states.stream().distinct().toList()), p.optLong("node_id"),
                p.optLong("owner_id"), List.copyOf(tags), q, p.optInstant("created_after"), p.optInstant("created_before"),
                sort, p.limit(), cursor, null);
        // The first page's row estimate rides in the cursor, for the same filter only.
        Map<String, Object> carried = Cursor.extras(p.optString("cursor"));
        Object estimate = carried.get("t");
        boolean sameFilter = f.fingerprint().equals(carried.get("f"));
        return estimate instanceof Number n && n.longValue() >= 0 && sameFilter ? f.withCarriedEstimate(n.longValue()) : f;
    }

    private ListingFilter withCarriedEstimate(long estimate) {
        return new ListingFilter(org, states, nodeId, ownerId, tags, q, createdAfter, createdBefore, sort, limit, cursor,
                estimate);
    }

    /** Identifies the org and filter (not sort, limit or position): a carried estimate is reused only for them. */
    String fingerprint() {
        String canonical = String.join("\0", String.valueOf(org), states.stream().sorted().toList().toString(),
                String.valueOf(nodeId), String.valueOf(ownerId), tags.stream().distinct().sorted().toList().toString(),
                String.valueOf(q), String.valueOf(createdAfter), String.valueOf(createdBefore));
        return Integer.toHexString(canonical.hashCode());
    }

    /** Only the org and possibly states: the maintained counts give the exact total. */
    boolean onlyStates() {
        return nodeId == null && ownerId == null && tags.isEmpty() && q == null && createdAfter == null && createdBefore == null;
    }

    List<String> statesOrAll() {
        return states.isEmpty() ? VmState.NAMES : states;
    }

    /** The whole filter, and the keyset condition after the cursor when {@code withKeyset}. */
    String where(List<Object> args, boolean withKeyset) {
        String w = scope(args) + matchers(args, " AND ");
        return withKeyset && cursor != null ? w + " AND " + after(args, cursor) : w;
    }

    /** The conditions an index walk in sort order can serve: org, states, node, owner, creation time. */
    String scope(List<Object> args) {
        StringBuilder w = new StringBuilder("org_id = ?");
        args.add(org);
        if (states.size() == 1) {
            w.append(" AND state = ?"); // lets vm_org_state_<sort>_idx give the order
            args.add(states.get(0));
        } else if (!states.isEmpty()) {
            w.append(" AND state = ANY (?)");
            args.add(states.toArray(new String[0]));
        }
        if (nodeId != null) {
            w.append(" AND node_id = ?"); // vm_org_node_idx
            args.add(nodeId);
        }
        if (ownerId != null) {
            w.append(" AND owner_id = ?"); // vm_org_owner_idx
            args.add(ownerId);
        }
        if (createdAfter != null) {
            w.append(" AND created_at > ?");
            args.add(createdAfter);
        }
        if (createdBefore != null) {
            w.append(" AND created_at < ?");
            args.add(createdBefore);
        }
        return w.toString();
    }

    /**
     * The tag and name conditions, each preceded by {@code prefix}; "" when there are none. q is a
     * literal substring: LIKE's wildcards and escape in it are escaped, and PostgreSQL lowers both
     * sides (the same lower() as vm_name_grams and the name statistics).
     */
    String matchers(List<Object> args, String prefix) {
        StringBuilder w = new StringBuilder();
        if (!tags.isEmpty()) {
            w.append(prefix).append("tags @> ?::text[]"); // in every sort index (V30), and vm_tags_idx
            args.add(tags.toArray(new String[0]));
        }
        if (q != null) {
            w.append(prefix).append("lower(name) LIKE lower(?)");
            args.add("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return w.toString();
    }

    /** Whether q has a trigram, so vm_name_grams_idx can give the org's VMs whose names contain it. */
    boolean qHasGrams() {
        return q != null && q.codePointCount(0, q.length()) >= 3;
    }

    /** The org's names that hold every trigram of q (V29, vm_name_grams_idx); needs {@link #qHasGrams}. */
    String grams(List<Object> args) {
        args.add(org);
        args.add(q);
        return "vm_name_grams(org_id, name) @> vm_name_grams(?, ?)";
    }

    /** Rows strictly beyond {@code key} (sort value, id) in the sort's order. */
    String after(List<Object> args, List<Object> key) {
        args.add(sort.valueOf(key));
        args.add(Cursor.longAt(key, 1));
        return sort.after();
    }
}
