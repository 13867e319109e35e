package io.novacron.metrics.ingest;

import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** The size limits of one batch (API.md: 50,000 samples or 16 MiB, larger → 413). */
public final class IngestLimits {
    private IngestLimits() {
    }

    public static ApiException tooManySamples(int max) {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "a batch holds at most " + max + " samples",
                Map.of("max_samples", max));
    }

    public static ApiException tooManyBytes(long max) {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "a batch body is at most " + max + " bytes",
                Map.of("max_bytes", max));
    }

    /** Wraps a request body so that reading past {@code max} bytes fails with 413 (chunked bodies have no length). */
    public static InputStream capped(InputStream in, long max) {
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > max) {
                    throw tooManyBytes(max);
                }
            }
        };
    }
}
