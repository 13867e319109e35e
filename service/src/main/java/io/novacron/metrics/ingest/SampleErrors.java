package io.novacron.metrics.ingest;

import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The problems found in one batch: malformed samples (400 {@code validation_failed}) and
 * well-formed but unacceptable ones (422 {@code invalid_samples}: unknown or foreign series,
 * NaN, out of range, too far in the future or past the raw retention). Details list the first
 * {@value #MAX_LISTED} offending sample indexes (0-based positions in the request) with reasons.
 */
public final class SampleErrors {
    static final int MAX_LISTED = 20;

    private final List<Map<String, Object>> malformed = new ArrayList<>();
    private final List<Map<String, Object>> invalid = new ArrayList<>();
    private int malformedCount;
    private int invalidCount;

    public void malformed(int index, String field, String reason) {
        malformedCount++;
        if (malformed.size() < MAX_LISTED) {
            malformed.add(entry(index, field, reason));
        }
    }

    public void invalid(int index, String field, String reason) {
        invalidCount++;
        if (invalid.size() < MAX_LISTED) {
            invalid.add(entry(index, field, reason));
        }
    }

    public boolean any() {
        return malformedCount + invalidCount > 0;
    }

    /** Throws the batch's error if there is one; malformed input wins over invalid values. */
    public void throwIfAny() {
        if (malformedCount > 0) {
            throw build(ErrorCode.VALIDATION_FAILED, malformed, malformedCount, "malformed");
        }
        if (invalidCount > 0) {
            throw build(ErrorCode.INVALID_SAMPLES, invalid, invalidCount, "invalid");
        }
    }

    private static ApiException build(ErrorCode code, List<Map<String, Object>> list, int count, String what) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", "samples");
        details.put("indexes", list.stream().map(e -> e.get("index")).distinct().toList());
        details.put("errors", list);
        details.put("count", count);
        Map<String, Object> first = list.get(0);
        return new ApiException(code, count + " " + what + " sample(s), the batch was not stored; first: sample "
                + first.get("index") + " " + first.get("field") + ": " + first.get("reason"), details);
    }

    private static Map<String, Object> entry(int index, String field, String reason) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("index", index);
        e.put("field", field);
        e.put("reason", reason);
        return e;
    }
}
