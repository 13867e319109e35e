package io.novacron.bench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.bench.Dataset;
import io.novacron.bench.Seeder;
import io.novacron.app.Application;
import io.novacron.app.Main;
import io.novacron.config.ServiceConfig;
import io.novacron.web.Json;
import io.novacron.web.Tokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Starts the service and seeds a small demo fleet through its own HTTP API (so the demo exercises
 * exactly what clients use), back-fills a few days of metric history, then prints the URL and
 * the tokens and keeps serving while {@link DemoAgents} stream samples and change VM states. With
 * {@code --dataset}, the fleet is a generated benchmark dataset instead, loaded once by
 * {@link Seeder} (inventory by COPY, samples through the ingestion API).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the service on a demo fleet (created on first run) and print the URL and tokens.")
final class Demo implements Callable<Integer> {
    static final String DEMO_ORG = "demo";

    @Mixin
    Main.Settings settings;
    @Option(names = "--dataset", description = "serve a generated benchmark dataset (small, medium, large) instead of the hand-made demo fleet")
    String dataset;
    @Option(names = "--seed", defaultValue = "42", description = "generator seed for --dataset (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--history-days", defaultValue = "3",
            description = "days of one-a-minute samples back-filled for the demo fleet when it has none (default: ${DEFAULT-VALUE}; 0: none)")
    int historyDays;
    @Option(names = "--agent-period", defaultValue = "5",
            description = "seconds between the simulated agents' samples; a VM changes state every 6 periods (default: ${DEFAULT-VALUE}; 0: no agents)")
    int agentPeriod;

    @Override
    public Integer call() throws Exception {
        ServiceConfig cfg = settings.resolve();
        if (cfg.http().adminToken() == null) {
            cfg = cfg.withHttp(cfg.http().withAdminToken(Tokens.generate()));
        }
        Dataset ds = dataset == null ? null : Dataset.named(dataset);
        Application app = Application.start(cfg);
        String base = "http://127.0.0.1:" + app.port();
        Client client = new Client(base, cfg.http().adminToken());
        String orgToken;
        DemoAgents agents = null;
        if (ds == null) {
            orgToken = seed(client);
            agents = new DemoAgents(client, client.as(orgToken), System.out);
            if (historyDays > 0) {
                agents.seedHistory(historyDays, Instant.now());
            }
        } else {
            Seeder seeder = new Seeder(cfg.db(), base, cfg.http().adminToken(), Seeder.DEFAULT_BATCH, Seeder.DEFAULT_IN_FLIGHT, System.out);
            if (!seeder.loaded(ds, seed)) {
                seeder.seed(ds, seed);
            }
            orgToken = orgToken(client, Seeder.largestOrgName(ds, seed));
        }
        System.out.println();
        System.out.println("NovaCron fleet data service (demo" + (ds == null ? "" : ", dataset " + ds.name()) + ") at " + base);
        System.out.println("  admin token:         " + cfg.http().adminToken());
        System.out.println("  " + (ds == null ? "demo org token:      " : "largest org's token: ") + orgToken);
        System.out.println("  console:             " + base + "/ (sign in with either token)");
        System.out.println("  try: curl -H 'Authorization: Bearer " + orgToken + "' " + base + "/api/v1/vms");
        if (agents != null && agentPeriod > 0) {
            agents.start(Duration.ofSeconds(agentPeriod), 6);
            System.out.println("Simulated agents send a sample per running VM and node every " + agentPeriod
                    + " s and change a VM's state now and then.");
        }
        System.out.println("Press Ctrl-C to stop.");
        if (agents != null) {
            DemoAgents stopping = agents;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::close, "demo-agents-stop"));
        }
        Main.awaitShutdown(app);
        return 0;
    }

    /** A fresh token of the organization named {@code orgName}. */
    static String orgToken(Client c, String orgName) throws IOException, InterruptedException {
        for (JsonNode o : c.send("GET", "/api/v1/orgs?limit=500", null).path("items")) {
            if (orgName.equalsIgnoreCase(o.path("name").asText())) {
                return c.send("POST", "/api/v1/orgs/" + o.get("id").asLong() + "/tokens", Map.of("name", "demo")).get("token").asText();
            }
        }
        throw new IOException("organization " + orgName + " not found");
    }

    /** Creates the demo organization and its fleet unless it exists; returns a fresh org token. */
    static String seed(Client c) throws IOException, InterruptedException {
        JsonNode org = c.send("POST", "/api/v1/orgs", Map.of("name", DEMO_ORG));
        long orgId;
        boolean fresh = org.has("id");
        if (fresh) {
            orgId = org.get("id").asLong();
        } else {
            orgId = -1;
            for (JsonNode o : c.send("GET", "/api/v1/orgs?limit=500", null).path("items")) {
                if (DEMO_ORG.equals(o.path("name").asText())) {
                    orgId = o.get("id").asLong();
                }
            }
        }
        String token = c.send("POST", "/api/v1/orgs/" + orgId + "/tokens", Map.of("name", "demo")).get("token").asText();
        if (!fresh) {
            return token;
        }
        Client org1 = c.as(token);
        long owner = org1.send("POST", "/api/v1/users",
                Map.of("email", "ops@demo.example", "name", "Demo Operator", "role", "admin")).get("id").asLong();
        String[] zones = {"eu-west-1a", "eu-west-1b", "us-east-1a"};
        for (int i = 1; i <= 6; i++) {
            c.send("POST", "/api/v1/nodes", Map.of("name", "hv-" + i, "zone", zones[i % zones.length],
                    "cpu_cores", 32, "memory_mb", 131072, "disk_gb", 2000));
        }
        int[][] sizes = {{2, 4096, 40}, {4, 8192, 80}, {8, 16384, 160}, {1, 2048, 20}};
        String[] envs = {"env:prod", "env:staging", "env:dev"};
        for (int i = 1; i <= 24; i++) {
            int[] s = sizes[i % sizes.length];
            JsonNode vm = org1.send("POST", "/api/v1/vms", Map.of("name", "web-" + i, "owner_id", owner,
                    "cpu_cores", s[0], "memory_mb", s[1], "disk_gb", s[2],
                    "metadata", Map.of("tags", java.util.List.of(envs[i % envs.length], "team:demo"))));
            if (i % 5 != 0) {
                org1.send("POST", "/api/v1/vms/" + vm.get("id").asLong() + "/actions/start", null);
            }
        }
        return token;
    }

    /** A minimal JSON-over-HTTP client for the seeding. */
    record Client(String base, String token) {
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        Client as(String otherToken) {
            return new Client(base, otherToken);
        }

        JsonNode send(String method, String path, Object body) throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json");
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
            HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode node = r.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
            if (r.statusCode() >= 400 && r.statusCode() != 409) {
                throw new IOException(method + " " + path + " -> " + r.statusCode() + " " + node);
            }
            return node;
        }
    }
}
