package io.novacron.reads.listing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.reads.Inventory;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class VmListingTest {
    @RegisterExtension
    static final TestApp service = new TestApp(VmListingTest.class);

    static final String[] STATES = {"pending", "running", "stopped", "paused", "migrating", "error"};
    static long org;
    static long otherOrg;
    static long owner;
    static long node;
    static String token;
    static String otherToken;

    @BeforeAll
    static void inventory() throws SQLException {
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            org = inv.org("listing");
            otherOrg = inv.org("listing-other");
            owner = inv.user(org, "a@l.test");
            long owner2 = inv.user(org, "b@l.test");
            long otherOwner = inv.user(otherOrg, "c@l.test");
            node = inv.node("ln-1", "z1", 4096, 1_000_000_000L, 1_000_000_000L);
            long node2 = inv.node("ln-2", "z2", 4096, 1_000_000_000L, 1_000_000_000L);
            Random r = new Random(3);
            for (int i = 0; i < 300; i++) {
                String state = STATES[r.nextInt(STATES.length)];
                String tags = "{\"tags\":[\"env:" + (i % 3 == 0 ? "prod" : "dev") + "\",\"team:" + (i % 4) + "\"]}";
                // duplicate names and sizes on purpose: the id tie-breaker must order them
                inv.vm(org, i % 2 == 0 ? owner : owner2, i % 5 == 0 ? node2 : node,
                        (i % 7 == 0 ? "Web_" : "db-") + (i % 50) + (i == 42 ? "%odd" : ""), state,
                        1 + r.nextInt(4), 512L * (1 + r.nextInt(4)), tags);
            }
            inv.exec("UPDATE vm SET created_at = now() - (id % 17) * interval '1 hour' WHERE org_id = ?", org);
            inv.vm(otherOrg, otherOwner, node, "db-other", "running", 1, 512, "{}");
            token = inv.token(org, "viewer");
            otherToken = inv.token(otherOrg, "viewer");
        }
    }

    @Test
    void everySortWalksAllRowsInKeyOrderByCursor() throws SQLException {
        for (String col : List.of("created_at", "name", "cpu_cores", "memory_mb")) {
            for (String dir : List.of("", "-")) {
                String sql = "SELECT id FROM vm WHERE org_id = ? ORDER BY " + col + (dir.isEmpty() ? "" : " DESC") + ", id"
                        + (dir.isEmpty() ? "" : " DESC");
                assertThat(walk("sort=" + dir + col, 37)).as(dir + col).isEqualTo(sql(sql, org));
            }
        }
        assertThat(walk("", 50)).isEqualTo(sql("SELECT id FROM vm WHERE org_id = ? ORDER BY created_at DESC, id DESC", org));
    }

    @Test
    void filtersSelectExactlyTheMatchingRows() throws SQLException {
        String order = " ORDER BY created_at DESC, id DESC";
        assertThat(walk("state=running&state=error", 40)).isEqualTo(
                sql("SELECT id FROM vm WHERE org_id = ? AND state IN ('running', 'error')" + order, org));
        assertThat(walk("node_id=" + node + "&owner_id=" + owner, 40)).isEqualTo(
                sql("SELECT id FROM vm WHERE org_id = ? AND node_id = ? AND owner_id = ?" + order, org, node, owner));
        assertThat(walk("tag=env:prod&tag=team:2", 10)).isEqualTo(
                sql("SELECT id FROM vm WHERE org_id = ? AND metadata->'tags' @> '[\"env:prod\",\"team:2\"]'" + order, org));
        assertThat(walk("q=WEB_1", 10)).isEqualTo(sql("SELECT id FROM vm WHERE org_id = ? AND name ILIKE '%web\\_1%'" + order, org));
        assertThat(walk("q=" + enc("%odd"), 10)).hasSize(1);
        assertThat(walk("q=" + enc("%"), 10)).hasSize(1); // a literal percent sign, not a wildcard
        assertThat(walk("created_after=" + enc("2000-01-01T00:00:00Z") + "&sort=name", 100)).hasSize(300);
        long cut = System.currentTimeMillis() - 5 * 3600_000L - 60_000;
        assertThat(walk("created_before=" + cut, 33)).isEqualTo(
                sql("SELECT id FROM vm WHERE org_id = ? AND created_at < to_timestamp(? / 1000.0)" + order, org, cut));
    }

    /**
     * q pages walk at most 40 rows per row in sort order, then take the rest from the org's name
     * trigrams (V29). With limit 3 a walk examines 160 rows: ledger-... and zulu-... names sit past
     * 300 others in name order, so most of these pages are finished from the trigram index, and
     * every page must still be exactly the SQL answer's next rows.
     */
    @Test
    void qPagesAreExactWhetherTheMatchesAreSpreadClusteredOrRare() throws SQLException {
        long grams;
        String gramsToken;
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            grams = inv.org("listing-grams");
            long user = inv.user(grams, "g@l.test");
            Random r = new Random(7);
            for (int i = 0; i < 400; i++) {
                String service = i < 300 ? (r.nextBoolean() ? "auth" : "billing") : i < 390 ? "ledger" : "Zulu";
                inv.vm(grams, user, node, service + "-" + (r.nextBoolean() ? "api" : "web") + "-" + i,
                        STATES[r.nextInt(STATES.length)], 1 + r.nextInt(8), 512L * (1 + r.nextInt(8)),
                        "{\"tags\":[\"env:" + (i % 2 == 0 ? "prod" : "dev") + "\"]}");
            }
            inv.exec("UPDATE vm SET created_at = now() - (id % 23) * interval '1 hour' WHERE org_id = ?", grams);
            gramsToken = inv.token(grams, "viewer");
        }
        for (String q : List.of("ledger", "zulu", "LEDGER-API", "i-1", "er-w", "nowhere")) {
            String like = "'%' || lower('" + q + "') || '%'";
            for (String col : List.of("created_at", "name", "cpu_cores", "memory_mb")) {
                for (String dir : List.of("", "-")) {
                    String desc = dir.isEmpty() ? "" : " DESC";
                    String order = " ORDER BY " + col + desc + ", id" + desc;
                    assertThat(walk(gramsToken, "q=" + enc(q) + "&sort=" + dir + col, 3)).as(q + " " + dir + col)
                            .isEqualTo(sql("SELECT id FROM vm WHERE org_id = ? AND lower(name) LIKE " + like + order, grams));
                }
            }
            assertThat(walk(gramsToken, "q=" + enc(q) + "&state=running&tag=env:prod&sort=name", 2)).as(q + " filtered")
                    .isEqualTo(sql("SELECT id FROM vm WHERE org_id = ? AND state = 'running' AND metadata->'tags' @> '[\"env:prod\"]'"
                            + " AND lower(name) LIKE " + like + " ORDER BY name, id", grams));
        }
        // Another org's names never match: its grams are keyed by its own id.
        assertThat(walk("q=ledger", 3)).isEmpty();
    }

    /**
     * Tag pages test the tags each sort index carries (V30's generated column), not metadata. Under
     * every sort, with and without one state, every page must be exactly the next rows of the same
     * filter on metadata itself, also for metadata written by SQL that the API would refuse (tags
     * not an array, non-string elements, no metadata), and after metadata changes.
     */
    @Test
    void tagPagesMatchTheMetadataUnderEverySortAndState() throws SQLException {
        long tagged;
        String taggedToken;
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            tagged = inv.org("listing-tags");
            long user = inv.user(tagged, "t@l.test");
            Random r = new Random(11);
            String[] odd = {"{\"tags\":\"env:prod\"}", "{\"tags\":[\"env:prod\",5,null,{\"a\":1},[\"odd\"]]}",
                    "{\"tags\":[\"5\",\"odd\"]}", "{}", "{\"tags\":[]}", "{\"tags\":{\"env\":\"prod\"}}"};
            for (int i = 0; i < 200; i++) {
                String metadata = i % 10 == 0 ? odd[(i / 10) % odd.length]
                        : "{\"tags\":[\"env:" + (r.nextInt(3) == 0 ? "prod" : "dev") + "\",\"team:" + r.nextInt(4) + "\"]}";
                inv.vm(tagged, user, node, "svc-" + r.nextInt(40), STATES[r.nextInt(3)], 1 + r.nextInt(4),
                        512L * (1 + r.nextInt(4)), metadata);
            }
            inv.exec("UPDATE vm SET created_at = now() - (id % 13) * interval '1 hour' WHERE org_id = ?", tagged);
            taggedToken = inv.token(tagged, "viewer");
        }
        List<List<String>> filters = List.of(List.of("env:prod"), List.of("team:1", "env:dev"), List.of("odd"),
                List.of("5"), List.of("nowhere"));
        for (List<String> tags : filters) {
            String query = String.join("&", tags.stream().map(t -> "tag=" + enc(t)).toList());
            String json = io.novacron.web.Json.MAPPER.valueToTree(tags).toString();
            for (String state : List.of("", "running")) {
                for (String col : List.of("created_at", "name", "cpu_cores", "memory_mb")) {
                    for (String dir : List.of("", "-")) {
                        String desc = dir.isEmpty() ? "" : " DESC";
                        assertThat(walk(taggedToken, query + (state.isEmpty() ? "" : "&state=" + state) + "&sort=" + dir + col, 4))
                                .as(tags + " " + state + " " + dir + col)
                                .isEqualTo(sql("SELECT id FROM vm WHERE org_id = ? AND metadata->'tags' @> ?::jsonb"
                                        + (state.isEmpty() ? "" : " AND state = '" + state + "'")
                                        + " ORDER BY " + col + desc + ", id" + desc, tagged, json));
                    }
                }
            }
        }
        try (Connection c = service.database().connect()) {
            new Inventory(c).exec("UPDATE vm SET metadata = '{\"tags\":[\"env:prod\",\"moved\"]}' WHERE org_id = ? AND id % 3 = 0",
                    tagged);
        }
        assertThat(walk(taggedToken, "tag=moved&sort=-name", 5)).isEqualTo(
                sql("SELECT id FROM vm WHERE org_id = ? AND id % 3 = 0 ORDER BY name DESC, id DESC", tagged));
        assertThat(walk(taggedToken, "tag=env:dev&sort=cpu_cores", 5)).isEqualTo(
                sql("SELECT id FROM vm WHERE org_id = ? AND metadata->'tags' @> '[\"env:dev\"]' ORDER BY cpu_cores, id", tagged));
    }

    @Test
    void totalIsExactForOrgAndStateFiltersAndFlaggedOtherwise() throws SQLException {
        JsonNode all = page("limit=5");
        assertThat(all.path("total").asLong()).isEqualTo(300);
        assertThat(all.path("total_is_estimate").asBoolean()).isFalse();
        JsonNode running = page("limit=5&state=running");
        assertThat(running.path("total").asLong()).isEqualTo(sql("SELECT id FROM vm WHERE org_id = ? AND state = 'running'", org).size());
        assertThat(running.path("total_is_estimate").asBoolean()).isFalse();
        JsonNode tagged = page("limit=5&tag=env:dev");
        assertThat(tagged.path("total_is_estimate").asBoolean()).isTrue();
        assertThat(tagged.path("total").asLong()).isPositive();
        JsonNode small = page("q=%25odd");
        assertThat(small.path("total").asLong()).isEqualTo(1);
        assertThat(small.path("total_is_estimate").asBoolean()).isFalse();
    }

    @Test
    void theFirstPagesEstimateIsCarriedByTheCursorForTheSameFilterOnly() throws Exception {
        JsonNode first = page("limit=5&tag=env:dev&sort=name");
        assertThat(first.path("total_is_estimate").asBoolean()).isTrue();
        long estimate = first.path("total").asLong();
        JsonNode second = page("limit=5&tag=env:dev&sort=name&cursor=" + first.path("next_cursor").asText());
        assertThat(second.path("total").asLong()).isEqualTo(estimate);
        assertThat(second.path("total_is_estimate").asBoolean()).isTrue();

        // What page 2 shows is what the cursor carries (not planned again) ...
        String edited = withCarried(first.path("next_cursor").asText(), 12_345);
        assertThat(page("limit=5&tag=env:dev&sort=name&cursor=" + edited).path("total").asLong()).isEqualTo(12_345);
        // ... but only under the filter it was planned for: another filter plans its own (an
        // estimate of at most the org's 300 VMs), and so does a carried value that is not a count.
        assertThat(page("limit=5&tag=team:1&sort=name&cursor=" + edited).path("total").asLong()).isBetween(1L, 301L);
        assertThat(page("limit=5&tag=env:dev&sort=name&cursor=" + withCarried(edited, -1)).path("total").asLong())
                .isBetween(1L, 301L);
    }

    private static String withCarried(String cursor, long total) throws Exception {
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) io.novacron.web.Json.MAPPER.readTree(
                java.util.Base64.getUrlDecoder().decode(cursor));
        json.put("t", total);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(io.novacron.web.Json.MAPPER.writeValueAsBytes(json));
    }

    @Test
    void aCursorNeitherSkipsNorRepeatsRowsWhileRowsAreInsertedAndDeleted() throws SQLException {
        List<Long> before = sql("SELECT id FROM vm WHERE org_id = ?", org);
        Set<Long> deleted = new HashSet<>();
        List<Long> seen = new ArrayList<>();
        Http http = service.as(token);
        String cursor = null;
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            int pageNo = 0;
            do {
                JsonNode p = http.get("/api/v1/vms?sort=name&limit=25" + (cursor == null ? "" : "&cursor=" + cursor)).json();
                p.path("items").forEach(v -> seen.add(v.path("id").asLong()));
                cursor = p.path("next_cursor").isNull() ? null : p.path("next_cursor").asText();
                // churn on both sides of the cursor: new rows named to sort first and last, deletions ahead
                inv.vm(org, owner, node, "aaa-new-" + pageNo, "running", 1, 512, "{}");
                inv.vm(org, owner, node, "zzz-new-" + pageNo, "running", 1, 512, "{}");
                long victim = before.get(before.size() - 1 - pageNo);
                if (!seen.contains(victim)) {
                    inv.exec("DELETE FROM vm WHERE org_id = ? AND id = ?", org, victim);
                    deleted.add(victim);
                }
                pageNo++;
            } while (cursor != null);
            inv.exec("DELETE FROM vm WHERE org_id = ? AND (name LIKE 'aaa-new-%' OR name LIKE 'zzz-new-%')", org);
        }
        assertThat(new HashSet<>(seen)).hasSize(seen.size());
        Set<Long> survivors = new HashSet<>(before);
        survivors.removeAll(deleted);
        assertThat(seen).containsAll(survivors);
        assertThat(seen).doesNotContainAnyElementsOf(deleted);
        try (Connection c = service.database().connect()) {
            // put the deleted rows' count back for the other tests
            Inventory inv = new Inventory(c);
            for (long id : deleted) {
                inv.vm(org, owner, node, "db-refill-" + id, "running", 1, 512, "{}");
            }
        }
    }

    @Test
    void badRequestsAre400AndOtherOrgsAreInvisible() {
        Http http = service.as(token);
        assertThat(http.get("/api/v1/vms?colour=red").status()).isEqualTo(400);
        Http.Response badSort = http.get("/api/v1/vms?sort=owner");
        assertThat(badSort.status()).isEqualTo(400);
        assertThat(badSort.json().path("error").path("details").path("field").asText()).isEqualTo("sort");
        assertThat(http.get("/api/v1/vms?state=sleeping").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/vms?cursor=garbage").status()).isEqualTo(400);
        String nameCursor = http.get("/api/v1/vms?sort=name&limit=1").json().path("next_cursor").asText();
        assertThat(http.get("/api/v1/vms?sort=cpu_cores&cursor=" + nameCursor).status()).isEqualTo(400);
        assertThat(http.get("/api/v1/vms?limit=501").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/vms?org_id=" + otherOrg).status()).isEqualTo(404);
        assertThat(service.admin().get("/api/v1/vms").status()).isEqualTo(400);
        JsonNode other = service.as(otherToken).get("/api/v1/vms").json();
        assertThat(other.path("items")).hasSize(1);
        assertThat(other.path("items").get(0).path("org_id").asLong()).isEqualTo(otherOrg);
    }

    private static List<Long> walk(String query, int limit) {
        return walk(token, query, limit);
    }

    private static List<Long> walk(String token, String query, int limit) {
        List<Long> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode p = page(token, (query.isEmpty() ? "" : query + "&") + "limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(p.path("items").size()).isLessThanOrEqualTo(limit);
            p.path("items").forEach(v -> ids.add(v.path("id").asLong()));
            cursor = p.path("next_cursor").isNull() ? null : p.path("next_cursor").asText();
        } while (cursor != null);
        return ids;
    }

    private static JsonNode page(String query) {
        return page(token, query);
    }

    private static JsonNode page(String token, String query) {
        Http.Response r = service.as(token).get("/api/v1/vms?" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static List<Long> sql(String sql, Object... args) throws SQLException {
        try (Connection c = service.database().connect()) {
            return new Inventory(c).longs(sql, args);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
