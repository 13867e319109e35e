package io.novacron.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {

    @Test
    void everySettingHasADocumentedDefault() {
        ServiceConfig c = ServiceConfig.from(Map.of());
        assertThat(c.db().url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/novacron");
        assertThat(c.db().user()).isEqualTo("postgres");
        assertThat(c.db().databaseName()).isEqualTo("novacron");
        assertThat(c.db().maintenanceUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/postgres");
        assertThat(c.http().port()).isEqualTo(8080);
        assertThat(c.http().adminToken()).isNull();
        assertThat(c.db().poolSize()).isEqualTo(8);
        assertThat(c.db().connectionTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.retention().raw()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void environmentOverridesDefaults() {
        ServiceConfig c = ServiceConfig.from(Map.of("NOVACRON_PORT", "9090", "NOVACRON_DB_POOL_SIZE", "4",
                "NOVACRON_DB_URL", "jdbc:postgresql://db:5432/fleet?sslmode=disable", "NOVACRON_CACHE_ENABLED", "off"));
        assertThat(c.http().port()).isEqualTo(9090);
        assertThat(c.db().poolSize()).isEqualTo(4);
        assertThat(c.db().databaseName()).isEqualTo("fleet");
        assertThat(c.db().maintenanceUrl()).isEqualTo("jdbc:postgresql://db:5432/postgres?sslmode=disable");
        assertThat(c.cache().enabled()).isFalse();
    }

    @Test
    void aWrongSettingIsNamedWithItsValueAndTheReason() {
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_PORT", "http")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid setting NOVACRON_PORT=http: not an integer");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_DB_POOL_SIZE", "1000")))
                .hasMessage("invalid setting NOVACRON_DB_POOL_SIZE=1000: must be between 2 and 200");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_DB_URL", "mysql://x/y")))
                .hasMessageContaining("NOVACRON_DB_URL").hasMessageContaining("jdbc:postgresql://");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_ADMIN_TOKEN", "short")))
                .hasMessageContaining("NOVACRON_ADMIN_TOKEN").hasMessageNotContaining("short");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_CACHE_ENABLED", "maybe")))
                .hasMessage("invalid setting NOVACRON_CACHE_ENABLED=maybe: expected true or false");
    }

    @Test
    void replicasAreNoneByDefaultAndACommaSeparatedListOfJdbcUrls() {
        assertThat(ServiceConfig.from(Map.of()).replicas().urls()).isEmpty();
        assertThat(ServiceConfig.from(Map.of()).replicas().maxWait()).isEqualTo(Duration.ofMillis(10));
        ServiceConfig c = ServiceConfig.from(Map.of("NOVACRON_DB_REPLICA_URLS",
                " jdbc:postgresql://r1:5432/novacron, ,jdbc:postgresql://r2:5432/novacron?password=pw "));
        assertThat(c.replicas().urls()).containsExactly("jdbc:postgresql://r1:5432/novacron",
                "jdbc:postgresql://r2:5432/novacron?password=pw");
        assertThat(c.describe()).contains("replicas=2").doesNotContain("pw");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_DB_REPLICA_URLS", "r1:5432")))
                .hasMessage("invalid setting NOVACRON_DB_REPLICA_URLS=r1:5432: each URL must start with jdbc:postgresql://");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_DB_REPLICA_MAX_WAIT_MS", "5000")))
                .hasMessage("invalid setting NOVACRON_DB_REPLICA_MAX_WAIT_MS=5000: must be between 0 and 1000");
    }

    @Test
    void describeMasksTheAdminToken() {
        ServiceConfig c = ServiceConfig.from(Map.of("NOVACRON_ADMIN_TOKEN", "secret-secret-secret-1"));
        assertThat(c.describe()).contains("adminToken=****").doesNotContain("secret-secret");
    }

    @Test
    void thePrometheusMappingHasDefaultsAndRefusesWhatCannotMap() {
        ServiceConfig.Agents d = ServiceConfig.from(Map.of()).agents();
        assertThat(d.nodeLabel()).isEqualTo("novacron_node_id");
        assertThat(d.vmLabel()).isEqualTo("novacron_vm_id");
        assertThat(d.nodeMetrics()).hasSize(6).containsEntry("cpu_usage", "novacron:node_cpu_usage:percent");
        assertThat(d.vmMetrics()).hasSize(6).containsEntry("disk_read_bps", "novacron:vm_disk_read:bytes_per_second");
        ServiceConfig.Agents custom = ServiceConfig.from(Map.of("NOVACRON_PROM_NODE_METRICS", "load_1m=node_load1",
                "NOVACRON_PROM_NODE_LABEL", "instance_id")).agents();
        assertThat(custom.nodeMetrics()).isEqualTo(Map.of("load_1m", "node_load1"));
        assertThat(custom.nodeLabel()).isEqualTo("instance_id");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_PROM_NODE_METRICS", "disk_read_bps=x")))
                .hasMessageStartingWith("invalid setting NOVACRON_PROM_NODE_METRICS=disk_read_bps=x: unknown metric 'disk_read_bps'");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_PROM_NODE_METRICS", "cpu_usage=a b")))
                .hasMessageContaining("expected metric=prometheus_metric_name");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_PROM_VM_METRICS", "cpu_usage=novacron:node_load1")))
                .hasMessageContaining("may map to one metric only");
        assertThatThrownBy(() -> ServiceConfig.from(Map.of("NOVACRON_PROM_VM_LABEL", "__name__")))
                .hasMessageContaining("NOVACRON_PROM_VM_LABEL");
    }
}
