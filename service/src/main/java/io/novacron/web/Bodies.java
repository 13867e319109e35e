package io.novacron.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.javalin.http.Context;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads JSON request bodies strictly and turns every parse problem into a 400 that names the field. */
public final class Bodies {
    private Bodies() {
    }

    public static <T> T read(Context ctx, Class<T> type) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.toLowerCase().startsWith("application/json")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "request body must be application/json", null);
        }
        byte[] body = ctx.bodyAsBytes(); // Javalin enforces maxRequestSize here (413)
        if (body.length == 0) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is empty; a JSON object is required", null);
        }
        return parse(body, type);
    }

    public static <T> T parse(byte[] body, Class<T> type) {
        try {
            T value = Json.MAPPER.readValue(body, type);
            if (value == null) {
                throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object, not null", null);
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(path(e), "unknown field '" + e.getPropertyName() + "'");
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw ApiException.invalid(path(e), "invalid value");
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object", null);
            }
            throw ApiException.invalid(field, "field '" + field + "' has the wrong type or is missing",
                    e.getTargetType() == null ? Map.of() : Map.of("expected", simpleType(e.getTargetType())));
        } catch (JsonMappingException e) {
            throw ApiException.invalid(path(e), "invalid value for '" + path(e) + "'");
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is not valid JSON", null);
        } catch (java.io.IOException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body could not be read", null);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String simpleType(Class<?> c) {
        if (Number.class.isAssignableFrom(c) || c == int.class || c == long.class || c == double.class) {
            return "number";
        }
        if (c == String.class) {
            return "string";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "boolean";
        }
        return "object";
    }
}
