package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.conversation.ConversationRef;
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
import java.util.function.UnaryOperator;

/**
 * Reads an OpenAI chat-completions request body into a domain {@link ChatRequest}. Every problem is a
 * 400 naming the parameter, worded like OpenAI's own errors; unknown fields are ignored as OpenAI does.
 */
final class ChatRequestParser {
    private static final List<String> UNSUPPORTED_ROLES = List.of("tool", "function");
    static final String CONVERSATION_ID = "conversation_id";

    private ChatRequestParser() {
    }

    /**
     * The use case's command for a request body: the parsed request, who asks (request id, tenant, key, the
     * client's {@code traceparent}, arrival time) and the conversation named in the body or header.
     */
    static ChatCommand command(byte[] body, String requestId, Caller caller, long receivedAtNanos, String clientAddress,
                               UnaryOperator<String> header) {
        JsonNode root = readJsonObject(body);
        ChatRequest request = parse(root);
        return new ChatCommand(CallerContext.of(caller, requestId, header.apply("traceparent"), receivedAtNanos, clientAddress),
                request, conversation(root, header.apply(ChatCompletionsController.CONVERSATION_HEADER)));
    }

    static ChatRequest parse(byte[] body) {
        return parse(readJsonObject(body));
    }

    static ChatRequest parse(JsonNode root) {
        String model = requiredString(root, "model");
        List<ChatMessage> messages = messages(root);
        boolean stream = optionalBoolean(root, "stream", false);
        boolean includeUsage = streamOptions(root, stream);
        requireSingleChoice(root);
        refuseTools(root);
        Integer maxTokens = optionalInt(root, "max_completion_tokens");
        if (maxTokens == null) {
            maxTokens = optionalInt(root, "max_tokens");
        }
        try {
            GenerationParams params = new GenerationParams(
                    optionalNumber(root, "temperature"),
                    optionalNumber(root, "top_p"),
                    maxTokens,
                    stop(root),
                    optionalLong(root, "seed"),
                    optionalString(root, "user"),
                    responseFormat(root),
                    optionalNumber(root, "presence_penalty"),
                    optionalNumber(root, "frequency_penalty"));
            return new ChatRequest(model, messages, params, stream, includeUsage, grounding(root));
        } catch (InvalidValueException e) {
            throw GatewayException.invalid(e.param(), e.getMessage());
        }
    }

    /**
     * The conversation a request belongs to: {@code conversation_id} in the body or the {@code X-Conversation-Id}
     * header ({@code "new"} starts one); neither means a stateless request. Both, disagreeing, is a 400.
     */
    static Optional<ConversationRef> conversation(JsonNode root, String header) {
        String fromBody = optionalString(root, CONVERSATION_ID);
        if (fromBody != null && header != null && !fromBody.equals(header)) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "The 'conversation_id' in the body and the X-Conversation-Id header differ; send one of them.",
                    CONVERSATION_ID, "invalid_value", null));
        }
        String value = fromBody != null ? fromBody : header;
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ConversationRef.parse(value));
        } catch (InvalidValueException e) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, e.getMessage()
                    + " Use an id returned by this API, or \"" + ConversationRef.NEW + "\" to start a conversation.",
                    CONVERSATION_ID, "invalid_value", null));
        }
    }

    /** Parses the body as one JSON object: not JSON, not UTF-8, or not an object is a 400. */
    static JsonNode readJsonObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "The request body is empty. The API expects a JSON object.", null, "invalid_json", null));
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "We could not parse the JSON body of your request (" + describe(e) + "). "
                            + "The API expects a JSON object encoded as UTF-8.", null, "invalid_json", null));
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

    private static String describe(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null) {
            return "malformed JSON";
        }
        int cut = message.indexOf('\n');
        String first = cut < 0 ? message : message.substring(0, cut);
        if (first.length() > 160) {
            first = first.substring(0, 160) + "...";
        }
        return e.getLocation() == null ? first : first + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static List<ChatMessage> messages(JsonNode root) {
        JsonNode node = root.get("messages");
        if (node == null || node.isNull()) {
            throw missing("messages");
        }
        if (!node.isArray()) {
            throw wrongType("messages", "an array", node);
        }
        if (node.isEmpty()) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                    "messages", "empty_array", null));
        }
        List<ChatMessage> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            messages.add(message(node.get(i), "messages[" + i + "]"));
        }
        return messages;
    }

    private static ChatMessage message(JsonNode node, String path) {
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        String roleName = requiredString(node, "role", path + ".role");
        if (UNSUPPORTED_ROLES.contains(roleName)) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Messages with role '" + roleName + "' are not supported: this gateway does not support tool calling yet.",
                    path + ".role", "unsupported_value", null));
        }
        Role role = Role.fromWire(roleName).orElseThrow(() -> new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Invalid value: '" + roleName + "'. Supported values are: 'system', 'developer', 'user', and 'assistant'.",
                path + ".role", "invalid_value", null)));
        String content = content(node.get("content"), path + ".content", role);
        JsonNode name = node.get("name");
        String participant = null;
        if (name != null && !name.isNull()) {
            if (!name.isTextual()) {
                throw wrongType(path + ".name", "a string", name);
            }
            participant = name.asText();
        }
        try {
            return new ChatMessage(role, content, participant);
        } catch (InvalidValueException e) {
            throw GatewayException.invalid(path + "." + e.param(), e.getMessage());
        }
    }

    private static String content(JsonNode node, String path, Role role) {
        if (node == null || node.isNull()) {
            if (role == Role.ASSISTANT) {
                return "";
            }
            throw missing(path);
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (!node.isArray()) {
            throw wrongType(path, "a string or an array of content parts", node);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < node.size(); i++) {
            JsonNode part = node.get(i);
            String partPath = path + "[" + i + "]";
            if (!part.isObject()) {
                throw wrongType(partPath, "an object", part);
            }
            String type = requiredString(part, "type", partPath + ".type");
            if (!type.equals("text")) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "Content parts of type '" + type + "' are not supported: this gateway accepts text parts only.",
                        partPath + ".type", "unsupported_value", null));
            }
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(requiredString(part, "text", partPath + ".text"));
        }
        return text.toString();
    }

    private static boolean streamOptions(JsonNode root, boolean stream) {
        JsonNode options = root.get("stream_options");
        if (options == null || options.isNull()) {
            return false;
        }
        if (!options.isObject()) {
            throw wrongType("stream_options", "an object", options);
        }
        if (!stream) {
            throw GatewayException.invalid("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        return optionalBoolean(options, "include_usage", "stream_options.include_usage", false);
    }

    private static void requireSingleChoice(JsonNode root) {
        Integer n = optionalInt(root, "n");
        if (n != null && n != 1) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid 'n': this gateway returns one choice per request; n must be 1.", "n", "invalid_value", null));
        }
    }

    private static void refuseTools(JsonNode root) {
        for (String field : List.of("tools", "functions")) {
            JsonNode node = root.get(field);
            if (node != null && node.isArray() && !node.isEmpty()) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "'" + field + "' is not supported: this gateway does not support tool calling yet.", field, "unsupported_parameter", null));
            }
        }
    }

    /** {@code web_search} (boolean) and {@code knowledge_bases} (names) override the model's grounding. */
    private static GroundingRequest grounding(JsonNode root) {
        JsonNode web = root.get("web_search");
        Optional<Boolean> webSearch = Optional.empty();
        if (web != null && !web.isNull()) {
            if (!web.isBoolean()) {
                throw wrongType("web_search", "a boolean", web);
            }
            webSearch = Optional.of(web.booleanValue());
        }
        JsonNode bases = root.get("knowledge_bases");
        Optional<List<String>> knowledgeBases = Optional.empty();
        if (bases != null && !bases.isNull()) {
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
                throw GatewayException.invalid("knowledge_bases", "at most 16 knowledge bases per request");
            }
            knowledgeBases = Optional.of(names);
        }
        return new GroundingRequest(webSearch, knowledgeBases);
    }

    private static List<String> stop(JsonNode root) {
        JsonNode node = root.get("stop");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.asText());
        }
        if (!node.isArray()) {
            throw wrongType("stop", "a string or an array of strings", node);
        }
        List<String> stops = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw wrongType("stop[" + i + "]", "a string", node.get(i));
            }
            stops.add(node.get(i).asText());
        }
        return stops;
    }

    private static ResponseFormat responseFormat(JsonNode root) {
        JsonNode node = root.get("response_format");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw wrongType("response_format", "an object", node);
        }
        String type = requiredString(node, "type", "response_format.type");
        JsonNode schema = node.get("json_schema");
        if (schema != null && !schema.isNull() && !schema.isObject()) {
            throw wrongType("response_format.json_schema", "an object", schema);
        }
        try {
            return new ResponseFormat(type, "json_schema".equals(type) && schema != null && schema.isObject() ? schema.toString() : null);
        } catch (InvalidValueException e) {
            throw GatewayException.invalid(e.param(), e.getMessage());
        }
    }

    static String requiredString(JsonNode parent, String field) {
        return requiredString(parent, field, field);
    }

    private static String requiredString(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw missing(path);
        }
        if (!node.isTextual()) {
            throw wrongType(path, "a string", node);
        }
        return node.asText();
    }

    static String optionalString(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(field, "a string", node);
        }
        return node.asText();
    }

    static boolean optionalBoolean(JsonNode parent, String field, boolean fallback) {
        return optionalBoolean(parent, field, field, fallback);
    }

    private static boolean optionalBoolean(JsonNode parent, String field, String path, boolean fallback) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw wrongType(path, "a boolean", node);
        }
        return node.booleanValue();
    }

    static Double optionalDecimal(JsonNode parent, String field) {
        return optionalNumber(parent, field);
    }

    private static Double optionalNumber(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw wrongType(field, "a decimal", node);
        }
        return node.doubleValue();
    }

    static Integer optionalInt(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw wrongType(field, "an integer", node);
        }
        return node.intValue();
    }

    private static Long optionalLong(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw wrongType(field, "an integer", node);
        }
        return node.longValue();
    }

    static GatewayException missing(String param) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Missing required parameter: '" + param + "'.", param, "missing_required_parameter", null));
    }

    static GatewayException wrongType(String param, String expected, JsonNode actual) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Invalid type for '" + param + "': expected " + expected + ", but got " + typeName(actual) + " instead.",
                param, "invalid_type", null));
    }

    private static String typeName(JsonNode node) {
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
}
