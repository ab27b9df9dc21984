package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.GroundingRequest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading a request body as JSON for the protocol doors that share OpenAI's error shape (the Responses and
 * Completions APIs): one JSON object, typed fields, and every problem a 400 naming the parameter, worded like
 * OpenAI's own errors. Fields sent as {@code null} count as not sent.
 */
public final class RequestJson {
    private RequestJson() {
    }

    /** Parses the body as one JSON object: empty, not JSON, not UTF-8, or not an object is a 400 {@code invalid_json}. */
    public static JsonNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "The request body is empty. The API expects a JSON object.", null, "invalid_json", null));
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // The parser's own message (which names its internals) goes to the log with the request id, as the cause.
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "We could not parse the JSON body of your request (" + describe(e) + "). "
                            + "The API expects a JSON object encoded as UTF-8.", null, "invalid_json", null), e);
        } catch (IOException e) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "We could not read the JSON body of your request.", null, "invalid_json", null));
        }
        if (root == null || !root.isObject()) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "The request body must be a JSON object.", null, "invalid_json", null));
        }
        return root;
    }

    /** What is wrong with the JSON, in our words, and where: never the parser's own message. */
    public static String describe(JsonProcessingException e) {
        String original = String.valueOf(e.getOriginalMessage());
        String what;
        if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
            what = "it exceeds a limit: nesting deeper than " + Json.MAX_NESTING + " levels, or a number or a string too long";
        } else if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException || original.contains("end-of-input")) {
            what = "it ends in the middle of a value";
        } else if (original.contains("UTF-8") || original.contains("UTF8") || original.contains("surrogate")) {
            what = "it is not valid UTF-8";
        } else if (original.contains("Trailing token")) {
            what = "there is more after the JSON value";
        } else if (original.contains("Unrecognized token") || original.contains("was expecting")) {
            what = "a value is not JSON (strings need double quotes; true, false and null are lower-case)";
        } else if (original.contains("Unexpected character") || original.contains("Illegal")) {
            what = "an unexpected character";
        } else if (original.contains("Numeric value") || original.contains("number")) {
            what = "a number is malformed or out of range";
        } else {
            what = "it is not well-formed JSON";
        }
        return e.getLocation() == null || e.getLocation().getLineNr() < 0 ? what
                : what + ", at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    /** The member, or null when absent or JSON null. */
    public static JsonNode member(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node == null || node.isNull() ? null : node;
    }

    /** {@link #requiredString(JsonNode, String, String)} of a top-level field: the field is its own path. */
    public static String requiredString(JsonNode parent, String field) {
        return requiredString(parent, field, field);
    }

    public static String requiredString(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            throw missing(path);
        }
        if (!node.isTextual()) {
            throw wrongType(path, "a string", node);
        }
        return node.asText();
    }

    /** {@link #optionalString(JsonNode, String, String)} of a top-level field: the field is its own path. */
    public static String optionalString(JsonNode parent, String field) {
        return optionalString(parent, field, field);
    }

    public static String optionalString(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(path, "a string", node);
        }
        return node.asText();
    }

    /** {@link #optionalBoolean(JsonNode, String, String)} of a top-level field: the field is its own path. */
    public static Boolean optionalBoolean(JsonNode parent, String field) {
        return optionalBoolean(parent, field, field);
    }

    public static Boolean optionalBoolean(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw wrongType(path, "a boolean", node);
        }
        return node.booleanValue();
    }

    /** {@link #optionalNumber(JsonNode, String, String)} of a top-level field: the field is its own path. */
    public static Double optionalNumber(JsonNode parent, String field) {
        return optionalNumber(parent, field, field);
    }

    public static Double optionalNumber(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            return null;
        }
        if (!node.isNumber()) {
            throw wrongType(path, "a decimal", node);
        }
        double value = node.doubleValue();
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw invalidValue(path, "Invalid '" + path + "': the number is out of range.");
        }
        return value;
    }

    /** {@link #optionalInt(JsonNode, String, String)} of a top-level field: the field is its own path. */
    public static Integer optionalInt(JsonNode parent, String field) {
        return optionalInt(parent, field, field);
    }

    public static Integer optionalInt(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw wrongType(path, "an integer", node);
        }
        if (!node.canConvertToInt()) {
            throw outOfRange(path, node, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return node.intValue();
    }

    /** {@link #optionalLong(JsonNode, String, String)} of a top-level field: the field is its own path. */
    public static Long optionalLong(JsonNode parent, String field) {
        return optionalLong(parent, field, field);
    }

    public static Long optionalLong(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw wrongType(path, "an integer", node);
        }
        if (!node.canConvertToLong()) {
            throw outOfRange(path, node, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        return node.longValue();
    }

    public static JsonNode requiredObject(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node == null) {
            throw missing(path);
        }
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        return node;
    }

    public static JsonNode optionalObject(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node != null && !node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        return node;
    }

    public static JsonNode optionalArray(JsonNode parent, String field, String path) {
        JsonNode node = member(parent, field);
        if (node != null && !node.isArray()) {
            throw wrongType(path, "an array", node);
        }
        return node;
    }

    /** {@code stop}: a string or up to four strings (the domain checks the count). */
    public static List<String> stop(JsonNode parent, String field) {
        JsonNode node = member(parent, field);
        if (node == null) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            throw wrongType(field, "a string or an array of strings", node);
        }
        List<String> stops = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw wrongType(field + "[" + i + "]", "a string", node.get(i));
            }
            stops.add(node.get(i).asText());
        }
        return stops;
    }

    /** Meridian's own grounding fields: {@code web_search} (boolean) and {@code knowledge_bases} (names). */
    public static GroundingRequest grounding(JsonNode root) {
        Optional<Boolean> webSearch = Optional.ofNullable(optionalBoolean(root, "web_search"));
        JsonNode bases = member(root, "knowledge_bases");
        Optional<List<String>> knowledgeBases = Optional.empty();
        if (bases != null) {
            if (!bases.isArray()) {
                throw wrongType("knowledge_bases", "an array of strings", bases);
            }
            List<String> names = new ArrayList<>(bases.size());
            for (int i = 0; i < bases.size(); i++) {
                if (!bases.get(i).isTextual()) {
                    throw wrongType("knowledge_bases[" + i + "]", "a string", bases.get(i));
                }
                names.add(bases.get(i).asText());
            }
            if (names.size() > 16) {
                throw invalidValue("knowledge_bases", "at most 16 knowledge bases per request");
            }
            knowledgeBases = Optional.of(names);
        }
        try {
            return new GroundingRequest(webSearch, knowledgeBases);
        } catch (ai.meridian.domain.chat.InvalidValueException e) {
            throw invalidValue("knowledge_bases", e.getMessage());
        }
    }

    public static GatewayException invalidValue(String param, String message) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, message, param, "invalid_value", null));
    }

    /** A parameter this door knows but does not serve: a 400 naming it and saying what to do instead. */
    public static GatewayException unsupported(String param, String message) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, message, param, "unsupported_parameter", null));
    }

    public static GatewayException missing(String param) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Missing required parameter: '" + param + "'.", param, "missing_required_parameter", null));
    }

    public static GatewayException wrongType(String param, String expected, JsonNode actual) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Invalid type for '" + param + "': expected " + expected + ", but got " + typeName(actual) + " instead.",
                param, "invalid_type", null));
    }

    /** An integer that is an integer, only too large for the parameter: a value error, not a type error. */
    private static GatewayException outOfRange(String param, JsonNode node, long min, long max) {
        String shown = node.asText().length() > 40 ? node.asText().substring(0, 40) + "..." : node.asText();
        return invalidValue(param, "Invalid '" + param + "': " + shown + " is out of range (" + min + " to " + max + ").");
    }

    public static String typeName(JsonNode node) {
        switch (node.getNodeType()) {
            case STRING:
                return "a string";
            case NUMBER:
                return node.isIntegralNumber() ? "an integer" : "a decimal";
            case BOOLEAN:
                return "a boolean";
            case ARRAY:
                return "an array";
            case OBJECT:
                return "an object";
            case NULL:
                return "null";
            default:
                return "a " + node.getNodeType().name().toLowerCase();
        }
    }

    /** A value as a client would recognise it in an error message, cut short. */
    public static String shown(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }
}
