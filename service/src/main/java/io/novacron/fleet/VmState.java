package io.novacron.fleet;

import io.novacron.web.ApiException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The states of a VM, as the API spells them (lower case) and the {@code vm.state} column stores
 * them. The one list of them: filters, the dashboard's counts and the state machine all use it.
 */
public enum VmState {
    PENDING, RUNNING, STOPPED, PAUSED, MIGRATING, ERROR;

    /** Every state's wire name, in declaration order. */
    public static final List<String> NAMES = Arrays.stream(values()).map(VmState::wire).toList();

    private final String wire = name().toLowerCase(Locale.ROOT);

    public String wire() {
        return wire;
    }

    /**
     * Whether a VM in this state holds its node's CPU, memory and disk: SQL's
     * {@code vm_state_holds_resources(state)} (V1), which the allocation trigger uses.
     */
    public boolean holdsResources() {
        return this != STOPPED && this != ERROR;
    }

    public static VmState of(String wire) {
        for (VmState s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown VM state " + wire);
    }

    /** The state named by request parameter or field {@code field}, or a 400 listing the allowed ones. */
    public static VmState parse(String field, String wire) {
        for (VmState s : values()) {
            if (s.wire.equals(wire)) {
                return s;
            }
        }
        throw ApiException.invalid(field, "unknown state '" + wire + "'", Map.of("allowed", NAMES));
    }
}
