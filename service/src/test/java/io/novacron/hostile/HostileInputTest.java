package io.novacron.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.app.Application;
import io.novacron.support.Http;
import io.novacron.support.RawHttp;
import io.novacron.support.TestApp;
import io.novacron.web.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sends a few thousand generated malformed requests to every route the service registered
 * ({@link Application#routes()}, the metric write routes as black boxes) and holds it to API.md:
 * never a 5xx, every error in the JSON error shape, a 2xx only for a read, nothing in the database
 * changed (a digest of every table before and after), and no byte of another organization's data
 * in any answer to an organization token or to no token.
 *
 * <p>Every request is made invalid by at least one mutation that API.md says must be refused (a
 * broken body, a bad id, a bad query, a bad credential, a bad request line), optionally decorated
 * with a second one or an odd content type, so that any request the service accepts is a finding.
 * Requests are written to a raw socket (java.net.http refuses most of them). Reproducible:
 * {@code -Dnovacron.hostile.seed=N} (default 21), {@code -Dnovacron.hostile.perRoute=N} (default 100).
 */
class HostileInputTest {
    @RegisterExtension
    static final TestApp service = new TestApp(HostileInputTest.class);
    static final long SEED = Long.getLong("novacron.hostile.seed", 21L);
    static final int PER_ROUTE = Integer.getInteger("novacron.hostile.perRoute", 100);
    /** Written into every name of the other organization; must never reach organization A. */
    static final String SECRET = "ZZB-SECRET-" + Long.toHexString(SEED * 7919 + 12345);

    /** One sample time for every generated body, so that the random sequence depends on the seed alone. */
    static final Instant SAMPLE_TS = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    static World.Tenant a;
    static long aNode;
    static long aNode2;
    static long aVm;
    static long bOrg;
    static long bUser;
    static long bVm;
    static long bNode;
    static long bToken;
    static String bRevokedToken;
    static RawHttp raw;

    enum Who { A, ADMIN, NONE }

    /** One generated request; {@code kinds} names its mutations for the report. */
    record Probe(String route, Who who, String method, String target, Map<String, String> headers, byte[] body,
                 String version, List<String> kinds, boolean readOnly) {
        byte[] bytes(int port) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((method + " " + target + " " + version + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            if (!headers.containsKey("Host")) {
                out.writeBytes(("Host: 127.0.0.1:" + port + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            headers.forEach((k, v) -> out.writeBytes((k + ": " + v + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            if (body != null && !headers.containsKey("Content-Length") && !headers.containsKey("Transfer-Encoding")) {
                out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("Connection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        String describe() {
            String b = body == null ? "" : new String(body, StandardCharsets.ISO_8859_1);
            String t = target.length() > 200 ? target.substring(0, 200) + "…" : target;
            return who + " " + method + " " + t + " " + version + " " + kinds + " body=" + (b.length() > 300 ? b.substring(0, 300) + "…" : b);
        }
    }

    @BeforeAll
    static void setUp() {
        raw = new RawHttp(service.app().port());
        Http admin = service.admin();
        a = World.tenant(service);
        aNode = World.node(service);
        aNode2 = World.node(service);
        aVm = World.vm(a, aNode).get("id").asLong();

        bOrg = admin.post("/api/v1/orgs", Map.of("name", SECRET + "-org")).json().get("id").asLong();
        Http.Response tok = admin.post("/api/v1/orgs/" + bOrg + "/tokens", Map.of("name", SECRET + "-token"));
        bToken = tok.json().get("id").asLong();
        Http b = service.as(tok.json().get("token").asText());
        Http.Response revoked = admin.post("/api/v1/orgs/" + bOrg + "/tokens", Map.of("name", SECRET + "-revoked"));
        bRevokedToken = revoked.json().get("token").asText();
        assertThat(admin.delete("/api/v1/tokens/" + revoked.json().get("id").asLong()).status()).isEqualTo(204);
        bUser = b.post("/api/v1/users", Map.of("email", SECRET.toLowerCase() + "@b.example", "name", SECRET + "-user", "role", "admin"))
                .json().get("id").asLong();
        bNode = admin.post("/api/v1/nodes", Map.of("name", SECRET + "-node", "zone", SECRET + "-zone", "cpu_cores", 16,
                "memory_mb", 65536, "disk_gb", 1000, "labels", Map.of("owner", SECRET))).json().get("id").asLong();
        Http.Response bv = b.post("/api/v1/vms", Map.of("name", SECRET + "-vm", "owner_id", bUser, "cpu_cores", 2, "memory_mb", 1024,
                "disk_gb", 10, "node_id", bNode, "metadata", Map.of("secret", SECRET, "tags", List.of(SECRET + ":tag"))));
        assertThat(bv.status()).as(bv.toString()).isEqualTo(201);
        bVm = bv.json().get("id").asLong();
        String ts = Instant.now().minus(2, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
        for (var s : List.of(new Object[] {b, "/api/v1/metrics/vms", "vm_id", bVm}, new Object[] {a.http(), "/api/v1/metrics/vms", "vm_id", aVm})) {
            Map<String, Object> sample = new LinkedHashMap<>(Map.of((String) s[2], s[3], "ts", ts, "cpu_usage", 12.5, "memory_usage", 40.0,
                    "disk_read_bps", 1.0, "disk_write_bps", 2.0, "net_rx_bps", 3.0, "net_tx_bps", 4.0));
            Http.Response r = ((Http) s[0]).post((String) s[1], Map.of("samples", List.of(sample)));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
        }
        Http.Response ns = admin.post("/api/v1/metrics/nodes", Map.of("samples", List.of(Map.of("node_id", bNode, "ts", ts, "cpu_usage", 50.0,
                "memory_usage", 60.0, "disk_usage", 70.0, "load_1m", 1.5, "net_rx_bps", 1.0, "net_tx_bps", 2.0))));
        assertThat(ns.status()).as(ns.toString()).isEqualTo(202);
    }

    @Test
    void malformedRequestsToEveryRouteAreRefusedCleanlyAndChangeNothing() throws Exception {
        Map<String, String> before = settledFingerprint();
        List<Application.Route> routes = service.app().routes();
        Random rnd = new Random(SEED);
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> kinds = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Application.Route route : routes) {
            for (int i = 0; i < PER_ROUTE; i++) {
                Probe p = generate(route, rnd);
                RawHttp.Answer answer = raw.exchange(p.bytes(service.app().port()));
                sent++;
                statuses.merge(Integer.toString(answer.status()), 1, Integer::sum);
                p.kinds().forEach(k -> kinds.merge(k, 1, Integer::sum));
                String problem = judge(p, answer);
                if (problem != null && failures.size() < 40) {
                    failures.add(problem + "\n    request: " + p.describe() + "\n    answer:  " + answer);
                }
            }
        }
        Map<String, String> after = settledFingerprint();
        System.out.println("HOSTILE seed=" + SEED + " routes=" + routes.size() + " requests=" + sent + " statuses=" + statuses);
        System.out.println("HOSTILE mutations=" + kinds);
        System.out.println("HOSTILE tables=" + before.size() + " rows=" + Fingerprint.rows(before));
        assertThat(failures).as("requests answered against the contract").isEmpty();
        // The rollup tiers are folded from the raw samples by the background compactor, which may
        // close a bucket of the set-up samples mid-run; a stored sample would change the raw tables.
        List<String> changed = Fingerprint.changed(before, after);
        List<String> derived = changed.stream().filter(HostileInputTest::derivedByCompaction).toList();
        System.out.println("HOSTILE rollup tables refreshed by compaction during the run: " + derived);
        assertThat(changed.stream().filter(t -> !derivedByCompaction(t)).toList()).as("tables changed by refused requests").isEmpty();
        assertThat(sent).isGreaterThanOrEqualTo(routes.size() * PER_ROUTE);
        assertThat(a.http().get("/api/v1/vms/" + aVm).status()).isEqualTo(200);
    }

    private static boolean derivedByCompaction(String table) {
        return table.contains("_rollup") || table.equals("rollup_watermark");
    }

    /** The database digest once background work (rollup compaction of the set-up samples) has settled. */
    private static Map<String, String> settledFingerprint() throws Exception {
        try (Connection c = service.database().connect()) {
            Map<String, String> last = Fingerprint.of(c);
            for (int i = 0; i < 30; i++) {
                Thread.sleep(2500); // longer than one compaction period (2 s)
                Map<String, String> now = Fingerprint.of(c);
                if (now.equals(last)) {
                    return now;
                }
                last = now;
            }
            throw new AssertionError("the database never settled: " + last);
        }
    }

    private static final java.util.regex.Pattern ACTION_ROUTE =
            java.util.regex.Pattern.compile("/api/v1/vms/\\{id}/(actions/\\{action}|start|stop|restart|pause|resume|migrate)$");

    /** Null when the answer keeps the contract, else what is wrong. */
    private static String judge(Probe p, RawHttp.Answer r) {
        if (r.status() == 0) {
            return "no HTTP answer";
        }
        // 505 is the one 5xx a request can earn: its HTTP version is not one the server speaks.
        boolean versionRefused = r.status() == 505 && !p.version().equals("HTTP/1.1");
        if (r.status() >= 500 && !versionRefused) {
            return "server error";
        }
        if (r.status() < 400) {
            if (!p.readOnly()) {
                return "a malformed write was accepted";
            }
        } else {
            JsonNode e = r.json().path("error");
            String ct = r.header("content-type");
            if (ct == null || !ct.startsWith("application/json") || !e.path("code").isTextual() || !e.path("message").isTextual()
                    || !e.path("details").isObject()) {
                return "error without API.md's JSON error shape";
            }
        }
        if (p.who() != Who.ADMIN) {
            if (r.text().contains(SECRET)) {
                return "another organization's data in the answer";
            }
            String foreign = foreignOrg(r.json());
            if (foreign != null) {
                return "an object of organization " + foreign + " in the answer";
            }
        }
        return null;
    }

    private static String foreignOrg(JsonNode n) {
        if (n.isObject()) {
            JsonNode org = n.get("org_id");
            if (org != null && org.isNumber() && org.asLong() != a.orgId()) {
                return org.asText();
            }
            for (JsonNode child : n) {
                String f = foreignOrg(child);
                if (f != null) {
                    return f;
                }
            }
        } else if (n.isArray()) {
            for (JsonNode child : n) {
                String f = foreignOrg(child);
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    // ---- generation --------------------------------------------------------------------------

    private static final Set<String> ADMIN_ONLY = Set.of("POST /api/v1/orgs", "POST /api/v1/nodes", "PATCH /api/v1/nodes/{id}",
            "GET /api/v1/admin/db/health", "POST /api/v1/metrics/nodes", "GET /api/v1/monitoring/nodes", "GET /api/v1/nodes/capacity");
    private static final List<String> ACTIONS = List.of("start", "stop", "pause", "resume", "reboot", "migrate");

    private static Probe generate(Application.Route route, Random rnd) {
        String key = route.method() + " " + route.path();
        boolean readOnly = route.method().equals("GET");
        Who who = ADMIN_ONLY.contains(key) && rnd.nextBoolean() ? Who.ADMIN : Who.A;
        List<String> kinds = new ArrayList<>();
        Map<String, String> headers = new LinkedHashMap<>();
        String action = route.path().contains("{action}") ? ACTIONS.get(rnd.nextInt(ACTIONS.size())) : null;
        String id = route.path().contains("{id}") ? Long.toString(ownId(route.path())) : null;
        String query = "";
        String version = "HTTP/1.1";
        String contentType = "application/json";
        byte[] body = baseBody(route, action);

        // The invalidating mutations that apply to this route; one is always applied.
        List<String> options = new ArrayList<>(List.of("query", "auth", "line"));
        if (body != null) {
            options.addAll(List.of("body", "body", "body", "body", "field", "field", "field"));
        }
        if (id != null) {
            options.addAll(List.of("id", "id"));
            if (who == Who.A) {
                options.add("foreign");
            }
        }
        if (action != null) {
            options.add("action");
        }
        int mutations = rnd.nextInt(5) == 0 ? 2 : 1;
        for (int m = 0; m < mutations; m++) {
            String kind = options.get(rnd.nextInt(options.size()));
            switch (kind) {
                case "query" -> {
                    String[] q = badQuery(rnd);
                    query = q[1];
                    kinds.add("query:" + q[0]);
                }
                case "auth" -> {
                    String[] h = badAuth(rnd);
                    who = Who.NONE;
                    headers.put("Authorization", h[1]);
                    kinds.add("auth:" + h[0]);
                }
                case "line" -> {
                    String[] l = badLine(rnd, headers);
                    if (l[1] != null) {
                        version = l[1];
                    }
                    kinds.add("line:" + l[0]);
                }
                case "body" -> {
                    String[] b = new String[1];
                    body = badBody(rnd, body, b);
                    kinds.add("body:" + b[0]);
                }
                case "field" -> {
                    String[] f = new String[1];
                    body = badField(rnd, route, body, f);
                    kinds.add("field:" + f[0]);
                }
                case "id" -> {
                    String[] v = badId(rnd);
                    id = v[1];
                    kinds.add("id:" + v[0]);
                }
                case "foreign" -> {
                    id = Long.toString(foreignId(route.path()));
                    kinds.add("foreign-id");
                }
                case "action" -> {
                    String[] v = badAction(rnd);
                    action = v[1];
                    kinds.add("action:" + v[0]);
                }
                default -> throw new IllegalStateException(kind);
            }
        }
        if (body != null && rnd.nextInt(4) == 0) {
            String[] types = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
                "application/json; charset=utf-16", "application/json; charset=\u00ff", "", "*/*", "application/jsonx"};
            contentType = types[rnd.nextInt(types.length)];
            kinds.add("content-type");
        }
        if (body != null) {
            headers.putIfAbsent("Content-Type", contentType);
        }
        if (who == Who.A) {
            headers.putIfAbsent("Authorization", "Bearer " + a.token());
        } else if (who == Who.ADMIN) {
            headers.putIfAbsent("Authorization", "Bearer " + TestApp.ADMIN_TOKEN);
        }
        String path = route.path();
        if (id != null) {
            path = path.replace("{id}", id);
        }
        if (action != null) {
            path = path.replace("{action}", action);
        }
        String target = path + query;
        if (kinds.contains("line:long-uri")) {
            target = target + (query.isEmpty() ? "?" : "&") + "pad=" + "x".repeat(9000);
        }
        if (!route.path().startsWith("/api/v1/")) {
            who = Who.NONE; // health, metrics, openapi: no token needed, no org data
        }
        if (body != null && ACTION_ROUTE.matcher(key).find() && new String(body, StandardCharsets.UTF_8).isBlank()) {
            // A VM action takes no body: a mutation that left it blank would be a valid request.
            body = "[]".getBytes(StandardCharsets.UTF_8);
            kinds.add("body:blank-action-as-array");
        }
        return new Probe(key, who, route.method(), target, headers, body, version, kinds, readOnly);
    }

    private static long ownId(String path) {
        if (path.startsWith("/api/v1/orgs/")) {
            return a.orgId();
        }
        if (path.startsWith("/api/v1/tokens/")) {
            return a.tokenId();
        }
        if (path.startsWith("/api/v1/users/")) {
            return a.userId();
        }
        if (path.startsWith("/api/v1/nodes/")) {
            return aNode;
        }
        return aVm;
    }

    private static long foreignId(String path) {
        if (path.startsWith("/api/v1/orgs/")) {
            return bOrg;
        }
        if (path.startsWith("/api/v1/tokens/")) {
            return bToken;
        }
        if (path.startsWith("/api/v1/users/")) {
            return bUser;
        }
        if (path.startsWith("/api/v1/nodes/")) {
            return bNode;
        }
        return bVm;
    }

    private static byte[] baseBody(Application.Route route, String action) {
        String key = route.method() + " " + route.path();
        String ts = SAMPLE_TS.toString();
        Object body = switch (key) {
            case "POST /api/v1/orgs" -> Map.of("name", "hostile-org");
            case "POST /api/v1/orgs/{id}/tokens" -> Map.of("name", "hostile-token");
            case "POST /api/v1/users" -> Map.of("email", "hostile@a.example", "name", "hostile", "role", "viewer");
            case "PATCH /api/v1/users/{id}" -> Map.of("name", "renamed", "role", "operator");
            case "POST /api/v1/nodes" -> Map.of("name", "hostile-node", "zone", "z", "cpu_cores", 4, "memory_mb", 1024, "disk_gb", 10,
                    "state", "online", "labels", Map.of("k", "v"));
            case "PATCH /api/v1/nodes/{id}" -> Map.of("zone", "z2", "cpu_cores", 128, "labels", Map.of("k", "v2"));
            case "POST /api/v1/vms" -> Map.of("name", "hostile-vm", "owner_id", a.userId(), "cpu_cores", 1, "memory_mb", 512, "disk_gb", 5,
                    "node_id", aNode, "metadata", Map.of("tags", List.of("t:1"), "k", "v"));
            case "PATCH /api/v1/vms/{id}" -> Map.of("name", "renamed", "owner_id", a.userId(), "metadata", Map.of("k", "v2"));
            case "POST /api/v1/vms/{id}/actions/{action}" -> "migrate".equals(action) ? Map.of("target_node_id", aNode2) : Map.of();
            case "POST /api/v1/metrics/vms" -> Map.of("samples", List.of(Map.of("vm_id", aVm, "ts", ts, "cpu_usage", 12.5,
                    "memory_usage", 40.0, "disk_read_bps", 1.0, "disk_write_bps", 2.0, "net_rx_bps", 3.0, "net_tx_bps", 4.0)));
            case "POST /api/v1/metrics/nodes" -> Map.of("samples", List.of(Map.of("node_id", aNode, "ts", ts, "cpu_usage", 50.0,
                    "memory_usage", 60.0, "disk_usage", 70.0, "load_1m", 1.5, "net_rx_bps", 1.0, "net_tx_bps", 2.0)));
            case "POST /api/v1/metrics/write" -> "line";
            default -> route.method().equals("POST") || route.method().equals("PATCH") || route.method().equals("PUT") ? Map.of() : null;
        };
        if (body == null) {
            return null;
        }
        if ("line".equals(body)) {
            long ns = SAMPLE_TS.toEpochMilli() * 1_000_000L;
            return ("vm,vm_id=" + aVm + " cpu_usage=12.5,memory_usage=40,disk_read_bps=1,disk_write_bps=2,net_rx_bps=3,net_tx_bps=4 " + ns)
                    .getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isLineProtocol(byte[] body) {
        return body != null && body.length > 3 && body[0] == 'v' && body[1] == 'm' && body[2] == ',';
    }

    /** A body that API.md says must be refused. */
    private static byte[] badBody(Random rnd, byte[] body, String[] kind) {
        String s = new String(body, StandardCharsets.UTF_8);
        if (isLineProtocol(body)) {
            String[][] lines = {
                {"foreign-vm", s.replace("vm_id=" + aVm, "vm_id=" + bVm)},
                {"nul", s.replace("cpu_usage", "cpu\u0000usage")},
                {"invalid-utf8", s.replace("vm_id", "vm_\u00ffid")},
                {"unknown-measurement", s.replaceFirst("vm,", "vmx,")},
                {"unknown-field", s.replace("cpu_usage", "cpu_usagex")},
                {"nan", s.replace("12.5", "NaN")},
                {"percent-over-100", s.replace("12.5", "100.5")},
                {"negative-counter", s.replace("disk_read_bps=1", "disk_read_bps=-1")},
                {"huge-number", s.replace("12.5", "1e999")},
                {"huge-id", s.replace("vm_id=" + aVm, "vm_id=99999999999999999999")},
                {"text-id", s.replace("vm_id=" + aVm, "vm_id=abc")},
                {"future", s.substring(0, s.lastIndexOf(' ')) + " 9999999999999999999"},
                {"no-fields", "vm,vm_id=" + aVm + " " + s.substring(s.lastIndexOf(' ') + 1)},
                {"no-tag", s.replace("vm,vm_id=" + aVm, "vm")},
                {"bom-foreign", "\uFEFF" + s.replace("vm_id=" + aVm, "vm_id=" + bVm)},
                {"garbage", "\u0001\u0002\u0003 ==== ,,,"},
                {"second-line-bad", s + "\nvm,vm_id=" + bVm + " cpu_usage=1"},
            };
            String[] pick = lines[rnd.nextInt(lines.length)];
            kind[0] = "line-protocol-" + pick[0];
            byte[] out = pick[1].getBytes(StandardCharsets.UTF_8);
            if (pick[0].equals("invalid-utf8")) {
                out = pick[1].replace("\u00ff", "\u0000").getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < out.length; i++) {
                    if (out[i] == 0) {
                        out[i] = (byte) 0xff;
                    }
                }
            }
            return out;
        }
        int choice = rnd.nextInt(14);
        switch (choice) {
            case 0 -> {
                kind[0] = "truncated";
                return java.util.Arrays.copyOf(body, 1 + rnd.nextInt(Math.max(1, body.length - 1)));
            }
            case 1 -> {
                kind[0] = "deep-nesting";
                int depth = 65 + rnd.nextInt(5000);
                return ("{\"x\":" + "[".repeat(depth) + "]".repeat(rnd.nextBoolean() ? depth : 0) + "}").getBytes(StandardCharsets.UTF_8);
            }
            case 2 -> {
                kind[0] = "deep-object";
                int depth = 65 + rnd.nextInt(300);
                return ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> {
                kind[0] = "duplicate-key";
                return dupKey(s).getBytes(StandardCharsets.UTF_8);
            }
            case 4 -> {
                kind[0] = "bom";
                return concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, s.getBytes(StandardCharsets.UTF_8));
            }
            case 5 -> {
                kind[0] = "utf16";
                return ("\uFEFF" + s).getBytes(StandardCharsets.UTF_16BE);
            }
            case 6 -> {
                kind[0] = "trailing";
                String[] tails = {" {}", "]", "}", " x", ",", " null", "\u0000"};
                return (s + tails[rnd.nextInt(tails.length)]).getBytes(StandardCharsets.UTF_8);
            }
            case 7 -> {
                kind[0] = "root-type";
                String[] roots = {"[]", "null", "\"x\"", "1", "true", "[" + s + "]", "", " ", "\n"};
                return roots[rnd.nextInt(roots.length)].getBytes(StandardCharsets.UTF_8);
            }
            case 8 -> {
                kind[0] = "invalid-utf8";
                byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                    {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}};
                return insertIntoString(body, bad[rnd.nextInt(bad.length)], rnd);
            }
            case 9 -> {
                kind[0] = "raw-control";
                // Not \t, \n or \r: between tokens (after a closing quote) they are JSON whitespace.
                byte[] controls = {0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
                return insertIntoString(body, new byte[] {controls[rnd.nextInt(controls.length)]}, rnd);
            }
            case 10 -> {
                kind[0] = "unknown-field";
                return s.replaceFirst("\\{", "{\"zz_unknown\":1,").replace(",}", "}").getBytes(StandardCharsets.UTF_8);
            }
            case 11 -> {
                kind[0] = "garbage";
                byte[] g = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(g);
                g[0] = (byte) '\u00ab'; // never a valid start of JSON
                return g;
            }
            case 12 -> {
                kind[0] = "comments";
                return ("/* c */" + s).getBytes(StandardCharsets.UTF_8);
            }
            default -> {
                kind[0] = "form-encoded";
                return "name=x&email=y%40z&role=viewer".getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /** One field of the body set to a value of the wrong type or out of range; always invalid per API.md. */
    private static byte[] badField(Random rnd, Application.Route route, byte[] body, String[] kind) {
        if (isLineProtocol(body)) {
            return badBody(rnd, body, kind);
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            kind[0] = "body-already-broken";
            return body;
        }
        if (!tree.isObject() || tree.has("samples") && !tree.path("samples").path(0).isObject()) {
            kind[0] = "body-already-broken";
            return body;
        }
        com.fasterxml.jackson.databind.node.ObjectNode target = (com.fasterxml.jackson.databind.node.ObjectNode) tree;
        if (tree.has("samples")) {
            target = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("samples").get(0);
        }
        List<String> fields = new ArrayList<>();
        target.fieldNames().forEachRemaining(fields::add);
        if (fields.isEmpty()) {
            kind[0] = "unknown-field";
            return "{\"zz_unknown\": true}".getBytes(StandardCharsets.UTF_8);
        }
        String field = fields.get(rnd.nextInt(fields.size()));
        String[] values = invalidValues(field, route.method().equals("PATCH"));
        String value = values[rnd.nextInt(values.length)];
        kind[0] = fieldKind(field);
        String placeholder = "\"__HOSTILE__\"";
        target.put(field, "__HOSTILE__");
        String out = tree.toString().replace(placeholder, value);
        return out.getBytes(StandardCharsets.UTF_8);
    }

    private static String fieldKind(String field) {
        return switch (field) {
            case "owner_id", "node_id", "vm_id", "target_node_id" -> "id";
            case "cpu_cores", "memory_mb", "disk_gb" -> "size";
            case "cpu_usage", "memory_usage", "disk_usage" -> "percent";
            case "disk_read_bps", "disk_write_bps", "net_rx_bps", "net_tx_bps", "load_1m" -> "counter";
            case "ts" -> "timestamp";
            case "metadata", "labels" -> "object";
            default -> "text";
        };
    }

    private static String[] invalidValues(String field, boolean patch) {
        String k = fieldKind(field);
        // {} is a valid (empty) merge patch of an object field, so only for the others.
        List<String> v = new ArrayList<>(List.of("true", "[]", "[1]"));
        if (!k.equals("object")) {
            v.add("{}");
        }
        switch (k) {
            case "id" -> v.addAll(List.of("\"" + aVm + "\"", "0", "-1", "99999999999999999999999", "1.5", "1e999",
                    field.equals("owner_id") ? Long.toString(bUser) : field.equals("vm_id") ? Long.toString(bVm) : "-7"));
            case "size" -> v.addAll(List.of("\"2\"", "2.5", "1e999", "-1", "0", "99999999999999999999999", "1e3", "-0.0"));
            case "percent" -> v.addAll(List.of("\"12\"", "-1", "100.5", "1e999", "-1e999", "NaN", "Infinity"));
            case "counter" -> v.addAll(List.of("\"12\"", "-1", "-0.5", "1e999", "NaN", "-Infinity"));
            case "timestamp" -> v.addAll(List.of("\"yesterday\"", "\"2026-13-45T00:00:00Z\"", "1e30", "\"9999-12-31T00:00:00Z\"", "\"\""));
            // Each invalid as VM metadata (tags: an array of strings) and as node labels (string values) alike.
            case "object" -> v.addAll(List.of("\"x\"", "1", "{\"tags\": {\"x\": 1}}", "{\"tags\": [1]}", "{\"k\": \"a\\u0000b\"}",
                    "{\"a\\u0000\": \"b\"}", "{\"k\": \"\\ud800\"}", "{\"x\":" + "{\"a\":".repeat(70) + "1" + "}".repeat(70) + "}"));
            default -> v.addAll(List.of("123", "1.5", "\"\"", "\"a\\u0000b\"", "\"\\udc00x\"", "\"" + "x".repeat(5000) + "\""));
        }
        if (patch) {
            v.add("null");
        }
        return v.toArray(String[]::new);
    }

    private static String[] badQuery(Random rnd) {
        String[][] q = {
            {"unknown", "?zz_unknown=1"},
            {"bad-escape", "?q=%zz"},
            {"lone-percent", "?q=%"},
            {"full-width-escape", "?q=%uff0e"},
            {"nul", "?zz=%00"},
            {"invalid-utf8", "?zz=%ff%fe"},
            {"overlong-utf8", "?zz=%c0%ae"},
            {"other-org", "?org_id=" + bOrg + "&zz_unknown=1"},
            {"org-id-text", "?org_id=abc"},
            {"org-id-huge", "?org_id=99999999999999999999"},
            {"org-id-twice", "?org_id=1&org_id=2"},
            {"nameless", "?=5"},
            {"long-value", "?zz=" + "y".repeat(6000)},
            {"limit-negative", "?limit=-1"},
            {"limit-huge", "?limit=99999999999999999999"},
            {"cursor-garbage", "?cursor=%ff%00"},
            {"sort-injection", "?sort=name%3BDROP%20TABLE%20vm"},
            {"key-brackets", "?a[]=1&a[]=2"},
            {"escape-in-key", "?%zz=1"},
            {"control-in-key", "?a%0ab=1"},
        };
        return q[rnd.nextInt(q.length)];
    }

    private static String[] badAuth(Random rnd) {
        String[][] h = {
            {"empty", ""},
            {"bearer-only", "Bearer"},
            {"bearer-space", "Bearer "},
            {"random-token", "Bearer " + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong())},
            {"basic", "Basic dXNlcjpwYXNz"},
            {"revoked-other-org", "Bearer " + bRevokedToken},
            {"long-token", "Bearer " + "t".repeat(4000)},
            {"too-long-header", "Bearer " + "t".repeat(9000)},
            {"token-with-suffix", "Bearer " + a.token() + "x"},
            {"utf8-token", "Bearer \u00e9\u00e9\u00e9"},
            {"admin-prefix", "Bearer " + TestApp.ADMIN_TOKEN.substring(0, 10)},
        };
        return h[rnd.nextInt(h.length)];
    }

    /** A broken request line or header block; returns {kind, version or null}. */
    private static String[] badLine(Random rnd, Map<String, String> headers) {
        switch (rnd.nextInt(9)) {
            case 0 -> {
                return new String[] {"version-2", "HTTP/2.0"};
            }
            case 1 -> {
                return new String[] {"version-junk", "HTTP/1.x"};
            }
            case 2 -> {
                headers.put("X-Pad", "p".repeat(9000));
                return new String[] {"long-header", null};
            }
            case 3 -> {
                for (int i = 0; i < 120; i++) {
                    headers.put("X-Many-" + i, "v".repeat(80));
                }
                return new String[] {"many-headers", null};
            }
            case 4 -> {
                return new String[] {"long-uri", null};
            }
            case 5 -> {
                headers.put("Content-Length", "-1");
                return new String[] {"negative-length", null};
            }
            case 6 -> {
                headers.put("Transfer-Encoding", "chunked, gzip");
                return new String[] {"bad-transfer-encoding", null};
            }
            case 7 -> {
                headers.put("Host", "a\u0001b");
                return new String[] {"control-in-host", null};
            }
            default -> {
                headers.put("Expect", "200-ok");
                return new String[] {"bad-expect", null};
            }
        }
    }

    private static String[] badId(Random rnd) {
        String[][] ids = {
            {"zero", "0"}, {"negative", "-1"}, {"huge", "99999999999999999999999"}, {"text", "abc"}, {"float", "1.5"},
            {"full-width-dots", "%uff0e%uff0e"}, {"full-width-dots-utf8", "%ef%bc%8e%ef%bc%8e"}, {"dot-dot", "%2e%2e"},
            {"dot-dot-slash", "..%2f..%2fusers"}, {"nul", "%00"}, {"bad-escape", "%zz"}, {"lone-percent", "%"},
            {"overlong", "%c0%ae%c0%ae"}, {"full-width-digit", "%ef%bc%91"}, {"space", "1%20"}, {"plus", "+1"}, {"minus-zero", "-0"},
            {"hex", "0x10"}, {"exponent", "1e3"}, {"long", "9".repeat(3000)}, {"backslash", "1%5c2"}, {"path-parameter", "999999;x=2"},
            {"newline", "1%0a2"}, {"unicode-escape", "\\u0031"}, {"empty-segment", ""}, {"encoded-slash", "1%2f2"},
        };
        return ids[rnd.nextInt(ids.length)];
    }

    private static String[] badAction(Random rnd) {
        String[][] actions = {{"upper", "START"}, {"nul", "st%00art"}, {"unknown", "explode"}, {"dot-dot", "%2e%2e"},
            {"trailing-space", "start%20"}, {"semicolon", "start;x"}, {"full-width", "%uff53tart"}, {"delete", "delete"}, {"empty", ""}};
        return actions[rnd.nextInt(actions.length)];
    }

    private static String dupKey(String json) {
        int colon = json.indexOf("\":");
        if (colon < 0) {
            return "{\"a\":1,\"a\":2}";
        }
        int start = json.lastIndexOf('"', colon - 1);
        String name = json.substring(start, colon + 1);
        return json.replaceFirst("\\{", java.util.regex.Matcher.quoteReplacement("{" + name + ":1,"));
    }

    private static byte[] insertIntoString(byte[] body, byte[] insert, Random rnd) {
        List<Integer> quotes = new ArrayList<>();
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '"') {
                quotes.add(i);
            }
        }
        int at = quotes.isEmpty() ? 1 : quotes.get(rnd.nextInt(quotes.size())) + 1;
        at = Math.min(at, body.length);
        byte[] out = new byte[body.length + insert.length];
        System.arraycopy(body, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(body, at, out, at + insert.length, body.length - at);
        return out;
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] out = new byte[x.length + y.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

}
