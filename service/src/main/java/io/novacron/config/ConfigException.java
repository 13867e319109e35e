package io.novacron.config;

/** A setting is missing or wrong. Its message is one line naming the setting and why; no stack trace is shown. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }

    static ConfigException invalid(String key, String value, String why) {
        return new ConfigException("invalid setting " + key + "=" + value + ": " + why);
    }
}
