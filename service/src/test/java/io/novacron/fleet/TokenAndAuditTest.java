package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokenAndAuditTest {
    @RegisterExtension
    static final TestApp service = new TestApp(TokenAndAuditTest.class);
    static Fleet fleet;

    @BeforeAll
    static void setUp() {
        fleet = new Fleet(service);
    }

    private static long auditRows(Fleet.Tenant t) {
        return t.http().get("/api/v1/audit").json().get("total").asLong();
    }

    @Test
    void aTokenIsShownOnceStoredOnlyAsItsHashAndRevocationIsImmediate() throws Exception {
        Fleet.Tenant t = fleet.tenant();
        Http.Response created = t.http().post("/api/v1/orgs/" + t.orgId() + "/tokens", Map.of("name", "ci", "role", "operator"));
        assertThat(created.status()).isEqualTo(201);
        String secret = created.json().get("token").asText();
        long id = created.json().get("id").asLong();
        Http other = service.as(secret);
        assertThat(other.get("/api/v1/users").status()).isEqualTo(200);
        try (Connection c = service.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM api_token WHERE token_hash = sha256(convert_to('" + secret + "', 'UTF8'))")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
        assertThat(t.http().delete("/api/v1/tokens/" + id).status()).isEqualTo(204);
        Http.Response after = other.get("/api/v1/users");
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.errorCode()).isEqualTo("unauthorized");
        assertThat(t.http().delete("/api/v1/tokens/" + id).status()).as("revoking again is a no-op").isEqualTo(204);
        assertThat(t.http().delete("/api/v1/tokens/987654321").status()).isEqualTo(404);
    }

    @Test
    void theAdminRevokesAnyTokenAndAnOrgTokenCannotMintAboveItsRole() {
        Fleet.Tenant t = fleet.tenant();
        String op = t.http().post("/api/v1/orgs/" + t.orgId() + "/tokens", Map.of("name", "op", "role", "operator")).json().get("token").asText();
        assertThat(service.as(op).post("/api/v1/orgs/" + t.orgId() + "/tokens", Map.of("name", "x", "role", "admin")).status()).isEqualTo(403);
        assertThat(service.admin().delete("/api/v1/tokens/" + t.tokenId()).status()).isEqualTo(204);
        assertThat(t.http().get("/api/v1/users").status()).isEqualTo(401);
    }

    @Test
    void aViewerTokenCannotRevokeAndTheTokenKeepsWorking() {
        Fleet.Tenant t = fleet.tenant();
        String viewer = t.http().post("/api/v1/orgs/" + t.orgId() + "/tokens", Map.of("name", "v", "role", "viewer")).json().get("token").asText();
        assertThat(service.as(viewer).delete("/api/v1/tokens/" + t.tokenId()).status()).isEqualTo(403);
        assertThat(t.http().get("/api/v1/users").status()).isEqualTo(200);
    }

    @Test
    void usersAreChangedAndDeletedWithAnAuditRowEach() {
        Fleet.Tenant t = fleet.tenant();
        long id = t.http().post("/api/v1/users", Map.of("email", "c@x.example", "name", "C")).json().get("id").asLong();
        JsonNode changed = t.http().patch("/api/v1/users/" + id, Map.of("name", "Carol", "role", "operator")).json();
        assertThat(changed.get("name").asText()).isEqualTo("Carol");
        assertThat(changed.get("role").asText()).isEqualTo("operator");
        assertThat(changed.get("email").asText()).isEqualTo("c@x.example");
        String taken = t.http().get("/api/v1/users/" + t.userId()).json().get("email").asText().toUpperCase();
        Http.Response dup = t.http().patch("/api/v1/users/" + id, Map.of("email", taken));
        assertThat(dup.status()).as("another user's e-mail, case-insensitively").isEqualTo(409);
        assertThat(dup.json().path("error").path("details").path("field").asText()).isEqualTo("email");
        assertThat(t.http().delete("/api/v1/users/" + id).status()).isEqualTo(204);
        assertThat(t.http().get("/api/v1/users/" + id).status()).isEqualTo(404);
        JsonNode rows = t.http().get("/api/v1/audit?target_type=user&limit=3").json().get("items");
        assertThat(rows.get(0).get("action").asText()).isEqualTo("user.delete");
        assertThat(rows.get(1).path("details").path("name").asText()).isEqualTo("Carol");
    }

    @Test
    void everyChangeWritesOneAuditRowInItsTransactionNamingActorAndFields() {
        Fleet.Tenant t = fleet.tenant();
        long node = fleet.node(4, 8192, 100);
        long before = auditRows(t);
        JsonNode vm = fleet.vm(t, 2, 1024, 10, node);
        long id = vm.get("id").asLong();
        t.http().post("/api/v1/vms/" + id + "/actions/start", null);
        t.http().patch("/api/v1/vms/" + id, Map.of("name", "renamed", "metadata", Map.of("tags", java.util.List.of("env:prod"))));
        t.http().delete("/api/v1/vms/" + id);
        JsonNode page = t.http().get("/api/v1/audit?target_type=vm").json();
        assertThat(auditRows(t)).isEqualTo(before + 4);
        assertThat(page.get("items")).extracting(r -> r.get("action").asText())
                .containsExactly("vm.delete", "vm.update", "vm.start", "vm.create");
        JsonNode update = page.get("items").get(1);
        assertThat(update.get("actor").asText()).isEqualTo("token:" + t.tokenId());
        assertThat(update.get("target_id").asLong()).isEqualTo(id);
        assertThat(update.path("details").path("name").asText()).isEqualTo("renamed");
        assertThat(update.path("details").path("metadata").path("tags").get(0).asText()).isEqualTo("env:prod");
        assertThat(page.get("items").get(2).path("details").path("to").asText()).isEqualTo("running");
    }

    @Test
    void aRefusedChangeWritesNoAuditRowAndChangesNothing() {
        Fleet.Tenant t = fleet.tenant();
        long node = fleet.node(2, 4096, 100);
        long before = auditRows(t);
        Map<String, Object> body = new java.util.HashMap<>(Fleet.vmBody(t, 4, 1024, 10));
        body.put("node_id", node);
        assertThat(t.http().post("/api/v1/vms", body).errorCode()).isEqualTo("insufficient_capacity");
        assertThat(t.http().post("/api/v1/users", Map.of("email", "dup@x.example", "name", "a")).status()).isEqualTo(201);
        Http.Response dup = t.http().post("/api/v1/users", Map.of("email", "DUP@x.example", "name", "b"));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.errorCode()).isEqualTo("conflict");
        long vm = fleet.vm(t, 1, 512, 5, node).get("id").asLong();
        Http.Response delOwner = t.http().delete("/api/v1/users/" + t.userId());
        assertThat(delOwner.status()).isEqualTo(409);
        assertThat(delOwner.json().path("error").path("message").asText()).contains("owns VMs");
        assertThat(t.http().post("/api/v1/vms/" + vm + "/actions/pause", null).status()).isEqualTo(409);
        assertThat(auditRows(t)).as("only the user and VM creates were logged").isEqualTo(before + 2);
        assertThat(fleet.node(node).path("allocated").path("cpu_cores").asLong()).isEqualTo(1);
    }

    @Test
    void auditPagesWalkNewestFirstWithoutGapsOrRepeatsWhileRowsAreAdded() {
        // org.create + token.create + user.create from tenant(), then 7 more user.create rows
        Fleet.Tenant t = fleet.tenant();
        for (int i = 0; i < 7; i++) {
            t.http().post("/api/v1/users", Map.of("email", "p" + i + "@x.example", "name", "p" + i));
        }
        JsonNode first = t.http().get("/api/v1/audit?limit=3").json();
        assertThat(first.get("items")).hasSize(3);
        t.http().post("/api/v1/users", Map.of("email", "late@x.example", "name", "late"));
        Set<Long> seen = new HashSet<>();
        first.get("items").forEach(r -> seen.add(r.get("id").asLong()));
        String cursor = first.get("next_cursor").asText();
        int pages = 1;
        while (cursor != null && !cursor.equals("null")) {
            JsonNode p = t.http().get("/api/v1/audit?limit=3&cursor=" + cursor).json();
            p.get("items").forEach(r -> assertThat(seen.add(r.get("id").asLong())).as("no repeats").isTrue());
            cursor = p.get("next_cursor").isNull() ? null : p.get("next_cursor").asText();
            pages++;
        }
        assertThat(seen).as("every row of the org at the first page, newest first").hasSize(10);
        assertThat(pages).isEqualTo(4);
        assertThat(first.get("total_is_estimate").asBoolean()).isFalse();
        JsonNode byActor = t.http().get("/api/v1/audit?actor=admin&target_type=org").json();
        assertThat(byActor.get("items")).extracting(r -> r.get("action").asText()).containsExactly("org.create");
        assertThat(t.http().get("/api/v1/audit?from=2999-01-01T00:00:00Z").json().get("items")).isEmpty();
        assertThat(t.http().get("/api/v1/audit?to=" + (System.currentTimeMillis() + 60_000)).json().get("total").asLong()).isEqualTo(11);
    }
}
