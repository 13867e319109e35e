package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds fleet objects through the API for tests; names are unique per call. */
final class Fleet {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final TestApp service;

    Fleet(TestApp service) {
        this.service = service;
    }

    /** An organization with an admin token and one user. */
    record Tenant(long orgId, long tokenId, String token, long userId, Http http) {
    }

    Tenant tenant() {
        Http admin = service.admin();
        Http.Response org = admin.post("/api/v1/orgs", Map.of("name", "org-" + SEQ.incrementAndGet() + "-" + System.nanoTime()));
        assertThat(org.status()).as(org.toString()).isEqualTo(201);
        long orgId = org.json().get("id").asLong();
        Http.Response tok = admin.post("/api/v1/orgs/" + orgId + "/tokens", Map.of("name", "t"));
        assertThat(tok.status()).as(tok.toString()).isEqualTo(201);
        Http http = service.as(tok.json().get("token").asText());
        Http.Response user = http.post("/api/v1/users", Map.of("email", "u" + SEQ.incrementAndGet() + "@x.example", "name", "U", "role", "admin"));
        assertThat(user.status()).as(user.toString()).isEqualTo(201);
        return new Tenant(orgId, tok.json().get("id").asLong(), tok.json().get("token").asText(), user.json().get("id").asLong(), http);
    }

    long node(int cpu, long mem, long disk) {
        Http.Response r = service.admin().post("/api/v1/nodes", Map.of("name", "hv-" + SEQ.incrementAndGet() + "-" + System.nanoTime(),
                "zone", "z1", "cpu_cores", cpu, "memory_mb", mem, "disk_gb", disk));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("id").asLong();
    }

    static Map<String, Object> vmBody(Tenant t, int cpu, long mem, long disk) {
        return Map.of("name", "vm-" + SEQ.incrementAndGet(), "owner_id", t.userId(), "cpu_cores", cpu, "memory_mb", mem, "disk_gb", disk);
    }

    JsonNode vm(Tenant t, int cpu, long mem, long disk, Long nodeId) {
        Map<String, Object> body = new java.util.HashMap<>(vmBody(t, cpu, mem, disk));
        if (nodeId != null) {
            body.put("node_id", nodeId);
        }
        Http.Response r = t.http().post("/api/v1/vms", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    JsonNode node(long id) {
        return service.admin().get("/api/v1/nodes/" + id).json();
    }
}
