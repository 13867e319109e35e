package io.novacron.metrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import org.junit.jupiter.api.Test;

class IngestGateTest {
    @Test
    void beyondItsPermitsTheGateAnswersTooManyRequests() {
        IngestGate gate = new IngestGate(1);
        gate.enter();
        assertThatThrownBy(gate::enter).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_REQUESTS));
        gate.release();
        gate.enter();
        assertThat(gate.available()).isZero();
        gate.release();
        assertThat(gate.available()).isEqualTo(1);
    }
}
