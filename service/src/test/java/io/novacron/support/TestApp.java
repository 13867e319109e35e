package io.novacron.support;

import io.novacron.app.Application;
import io.novacron.config.ServiceConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real service on a free port over its own fresh database, for one test class. Register as a
 * static {@code @RegisterExtension}; {@link #admin()} and {@link #as(String)} give HTTP clients.
 */
public final class TestApp implements BeforeAllCallback, AfterAllCallback {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    private final FreshDatabase db;
    private final UnaryOperator<ServiceConfig> tweak;
    private Application app;

    public TestApp(Class<?> owner) {
        this(owner, UnaryOperator.identity());
    }

    public TestApp(Class<?> owner, UnaryOperator<ServiceConfig> tweak) {
        this.db = new FreshDatabase(owner);
        this.tweak = tweak;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        app = Application.start(tweak.apply(db.config()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (app != null) {
            app.close();
        }
        db.afterAll(context);
    }

    public Application app() {
        return app;
    }

    public FreshDatabase database() {
        return db;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    public Http admin() {
        return new Http(baseUrl(), ADMIN_TOKEN);
    }

    public Http as(String token) {
        return new Http(baseUrl(), token);
    }

    public Http anonymous() {
        return new Http(baseUrl(), null);
    }
}
