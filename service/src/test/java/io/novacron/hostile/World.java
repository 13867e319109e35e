package io.novacron.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds organizations, nodes and VMs through the API for the hardening tests; names are unique. */
public final class World {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private World() {
    }

    /** An organization with an admin token and one admin user. */
    public record Tenant(long orgId, long tokenId, String token, long userId, Http http) {
    }

    public static Tenant tenant(TestApp service) {
        Http admin = service.admin();
        Http.Response org = admin.post("/api/v1/orgs", Map.of("name", "org-" + SEQ.incrementAndGet() + "-" + System.nanoTime()));
        assertThat(org.status()).as(org.toString()).isEqualTo(201);
        long orgId = org.json().get("id").asLong();
        Http.Response tok = admin.post("/api/v1/orgs/" + orgId + "/tokens", Map.of("name", "t"));
        assertThat(tok.status()).as(tok.toString()).isEqualTo(201);
        Http http = service.as(tok.json().get("token").asText());
        Http.Response user = http.post("/api/v1/users",
                Map.of("email", "u" + SEQ.incrementAndGet() + "@x.example", "name", "U", "role", "admin"));
        assertThat(user.status()).as(user.toString()).isEqualTo(201);
        return new Tenant(orgId, tok.json().get("id").asLong(), tok.json().get("token").asText(), user.json().get("id").asLong(), http);
    }

    public static long node(TestApp service) {
        Http.Response r = service.admin().post("/api/v1/nodes", Map.of("name", "hv-" + SEQ.incrementAndGet() + "-" + System.nanoTime(),
                "zone", "z1", "cpu_cores", 64, "memory_mb", 262144, "disk_gb", 4000, "labels", Map.of("rack", "r1")));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    public static JsonNode vm(Tenant t, long nodeId) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "vm-" + SEQ.incrementAndGet(), "owner_id", t.userId(),
                "cpu_cores", 1, "memory_mb", 512, "disk_gb", 5, "node_id", nodeId,
                "metadata", Map.of("tags", java.util.List.of("env:prod"), "team", "core")));
        Http.Response r = t.http().post("/api/v1/vms", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }
}
