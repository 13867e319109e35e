package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import io.novacron.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Map;

/**
 * Reads {@code {"samples":[{...}, ...]}} token by token (Jackson streaming, no tree), straight
 * into a {@link SampleBatch}. A sample needs the series id and {@code ts} and carries any
 * non-empty subset of the kind's metrics, like a line-protocol line (a metric not sent is absent,
 * not zero). Shape problems (missing, unknown, duplicate or mistyped fields) are collected per
 * sample index; broken JSON syntax ends the read with 400 {@code invalid_json}.
 */
public final class JsonSampleReader {
    private final MetricKind kind;
    private final int maxSamples;

    public JsonSampleReader(MetricKind kind, int maxSamples) {
        this.kind = kind;
        this.maxSamples = maxSamples;
    }

    public SampleBatch read(InputStream in, SampleErrors errors) {
        SampleBatch batch = new SampleBatch(kind, 1024);
        try (JsonParser p = Json.MAPPER.getFactory().createParser(utf8(in))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalid("samples", "the body must be an object {\"samples\": [...]}");
            }
            boolean seen = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!"samples".equals(name) || seen) {
                    throw ApiException.invalid(name, "unexpected field '" + name + "'; the body is {\"samples\": [...]}");
                }
                seen = true;
                if (p.currentToken() != JsonToken.START_ARRAY) {
                    throw ApiException.invalid("samples", "'samples' must be an array");
                }
                readSamples(p, batch, errors);
            }
            if (!seen) {
                throw ApiException.invalid("samples", "'samples' is required");
            }
            if (p.nextToken() != null) {
                throw new ApiException(ErrorCode.INVALID_JSON, "trailing content after the JSON body", null);
            }
        } catch (JsonParseException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "the body is not valid JSON: " + e.getOriginalMessage(),
                    Map.of("line", e.getLocation().getLineNr(), "column", e.getLocation().getColumnNr()));
        } catch (IOException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(ErrorCode.INVALID_JSON, "the body could not be read", null);
        }
        return batch;
    }

    private void readSamples(JsonParser p, SampleBatch batch, SampleErrors errors) throws IOException {
        double[] v = new double[MetricKind.METRICS];
        int index = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
            if (index >= maxSamples) {
                throw IngestLimits.tooManySamples(maxSamples);
            }
            if (t != JsonToken.START_OBJECT) {
                errors.malformed(index, "samples[" + index + "]", "a sample must be an object");
                p.skipChildren();
                continue;
            }
            readSample(p, batch, errors, index, v);
        }
    }

    private void readSample(JsonParser p, SampleBatch batch, SampleErrors errors, int index, double[] v) throws IOException {
        int seen = 0; // bit m for metric m, bit 6 for the id, bit 7 for ts
        long id = 0, ts = 0;
        boolean ok = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken vt = p.nextToken();
            int bit;
            if (name.equals(kind.idField())) {
                bit = 6;
                if (vt != JsonToken.VALUE_NUMBER_INT) {
                    ok = bad(errors, index, name, "must be an integer id");
                } else {
                    id = p.getLongValue();
                }
            } else if (name.equals("ts")) {
                bit = 7;
                try {
                    ts = switch (vt) {
                        case VALUE_NUMBER_INT -> Math.multiplyExact(p.getLongValue(), 1000L);
                        case VALUE_STRING -> Timestamps.parseRfc3339Micros(p.getText());
                        default -> throw new IllegalArgumentException();
                    };
                } catch (IllegalArgumentException | ArithmeticException e) {
                    ok = bad(errors, index, name, "must be an RFC 3339 timestamp or epoch milliseconds");
                }
            } else {
                bit = kind.metricIndex(name);
                if (bit < 0) {
                    ok = bad(errors, index, name, "unknown field");
                    p.skipChildren();
                    continue;
                }
                if (vt != JsonToken.VALUE_NUMBER_INT && vt != JsonToken.VALUE_NUMBER_FLOAT) {
                    ok = bad(errors, index, name, "must be a number");
                    p.skipChildren();
                } else {
                    v[bit] = p.getDoubleValue();
                }
            }
            if ((seen & (1 << bit)) != 0) {
                ok = bad(errors, index, name, "given twice");
            }
            seen |= 1 << bit;
        }
        if (ok && (seen & (1 << 6)) == 0) {
            ok = bad(errors, index, kind.idField(), "is required");
        } else if (ok && (seen & (1 << 7)) == 0) {
            ok = bad(errors, index, "ts", "is required");
        } else if (ok && (seen & MetricKind.ALL_FIELDS) == 0) {
            ok = bad(errors, index, "samples[" + index + "]", "at least one metric is required: " + String.join(", ", kind.metrics()));
        }
        if (ok) {
            batch.add(index, id, ts, v, seen & MetricKind.ALL_FIELDS);
        }
    }

    private static boolean bad(SampleErrors errors, int index, String field, String reason) {
        errors.malformed(index, field, reason);
        return false;
    }

    /**
     * The body, refused unless it starts as UTF-8 JSON: Jackson would skip a UTF-8 byte order mark
     * and detect UTF-16/32 by their BOM or zero bytes and read them; JSON between systems is UTF-8
     * without a BOM (RFC 8259), as for every other body ({@code web.Bodies}).
     */
    private static InputStream utf8(InputStream in) throws IOException {
        PushbackInputStream head = new PushbackInputStream(in, 4);
        byte[] b = new byte[4];
        int n = head.readNBytes(b, 0, 4);
        if (n >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf
                || n >= 1 && ((b[0] & 0xff) == 0xfe || (b[0] & 0xff) == 0xff)) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body must not start with a byte order mark", null);
        }
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                throw new ApiException(ErrorCode.INVALID_JSON, "request body must be UTF-8 JSON; it holds a zero byte", null);
            }
        }
        head.unread(b, 0, n);
        return head;
    }
}
