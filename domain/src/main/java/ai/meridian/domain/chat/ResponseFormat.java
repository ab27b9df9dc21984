package ai.meridian.domain.chat;

import java.util.Set;

/**
 * The output format a client asked for. {@code schemaJson} holds the raw JSON of a
 * {@code json_schema} format so it can be forwarded as given.
 */
public record ResponseFormat(String type, String schemaJson) {
    private static final Set<String> TYPES = Set.of("text", "json_object", "json_schema");

    public static final ResponseFormat TEXT = new ResponseFormat("text", null);
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat("json_object", null);

    public ResponseFormat {
        if (type == null || !TYPES.contains(type)) {
            throw new InvalidValueException("response_format.type",
                    "response_format.type must be one of text, json_object, json_schema");
        }
        if ("json_schema".equals(type) && (schemaJson == null || schemaJson.isBlank())) {
            throw new InvalidValueException("response_format.json_schema", "json_schema format needs a json_schema object");
        }
    }

    public boolean isJson() {
        return !"text".equals(type);
    }
}
