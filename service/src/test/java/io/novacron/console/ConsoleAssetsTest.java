package io.novacron.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The console's files as HTTP: what is served, with which headers, and that the API is untouched. */
class ConsoleAssetsTest {
    @RegisterExtension
    static final TestApp service = new TestApp(ConsoleAssetsTest.class);

    @Test
    void thePageIsServedAtTheRootWithAStrictContentSecurityPolicy() {
        Http.Response page = service.anonymous().get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/console/app.js\"></script>");
        String csp = page.header("Content-Security-Policy");
        assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
    }

    @Test
    void theMarkupHasNoInlineScriptOrStyle() {
        String html = service.anonymous().get("/").body();
        assertThat(html).doesNotContain("<style").doesNotContain("style=").doesNotContain(" onclick=")
                .doesNotContainPattern("<script(?![^>]*\\bsrc=)");
    }

    @Test
    void filesRevalidateWithTheirETag() {
        Http.Response js = service.anonymous().get("/console/app.js");
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).startsWith("text/javascript");
        String etag = js.header("ETag");
        assertThat(etag).isNotBlank();
        Http.Response again = service.anonymous().get("/console/app.js", Map.of("If-None-Match", etag));
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
    }

    @Test
    void theChartingLibraryAndItsLicenceComeFromTheWebJar() {
        assertThat(service.anonymous().get("/console/uPlot.esm.js").body()).contains("export { uPlot as default }");
        assertThat(service.anonymous().get("/console/uPlot.min.css").header("Content-Type")).startsWith("text/css");
        assertThat(service.anonymous().get("/console/uPlot.LICENSE.txt").body()).contains("MIT");
    }

    @Test
    void onlyTheListedFilesAreServed() {
        for (String path : new String[] {"/console/nope.js", "/console/..%2Fopenapi%2Fbase.json", "/console/logback.xml"}) {
            Http.Response r = service.anonymous().get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.errorCode()).as(path).isEqualTo("not_found");
        }
    }

    @Test
    void theApiKeepsItsOwnHeadersAndNeedsItsToken() {
        Http.Response api = service.anonymous().get("/api/v1/dashboard");
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.header("Content-Security-Policy")).isNull();
        assertThat(service.admin().get("/api/v1/dashboard").header("Content-Security-Policy")).isNull();
    }
}
