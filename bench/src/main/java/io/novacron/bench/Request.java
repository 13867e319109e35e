package io.novacron.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One drawn request of a workload: the same question for the HTTP service ({@link #path}) and for
 * the baseline SQL ({@link #params}). A VM listing request reads {@code pages} pages by following
 * cursors; each page is one measured call.
 *
 * @param token the organization's bearer token, or null for the platform admin
 */
public record Request(String workload, String variant, String token, String path, Map<String, Object> params, int pages) {

    Request withVariant(String v) {
        return new Request(workload, v, token, path, params, pages);
    }

    /** Builds the query string and parameter map together; collections repeat the key. */
    static final class Builder {
        private final String workload, variant, token, route;
        private final Map<String, Object> params = new LinkedHashMap<>();
        private int pages = 1;

        Builder(String workload, String variant, String token, String route) {
            this.workload = workload;
            this.variant = variant;
            this.token = token;
            this.route = route;
        }

        Builder param(String key, Object value) {
            if (value != null) {
                params.put(key, value);
            }
            return this;
        }

        Builder pages(int n) {
            this.pages = n;
            return this;
        }

        Request build() {
            StringBuilder q = new StringBuilder(route);
            char sep = '?';
            for (var e : params.entrySet()) {
                Collection<?> values = e.getValue() instanceof Collection<?> c ? c : Collections.singleton(e.getValue());
                for (Object v : values) {
                    q.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
                    sep = '&';
                }
            }
            return new Request(workload, variant, token, q.toString(), Collections.unmodifiableMap(params), pages);
        }
    }
}
