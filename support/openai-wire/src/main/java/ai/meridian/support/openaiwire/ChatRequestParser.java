package ai.meridian.support.openaiwire;

import static ai.meridian.support.inboundhttp.RequestJson.grounding;
import static ai.meridian.support.inboundhttp.RequestJson.invalidValue;
import static ai.meridian.support.inboundhttp.RequestJson.missing;
import static ai.meridian.support.inboundhttp.RequestJson.optionalBoolean;
import static ai.meridian.support.inboundhttp.RequestJson.optionalInt;
import static ai.meridian.support.inboundhttp.RequestJson.optionalLong;
import static ai.meridian.support.inboundhttp.RequestJson.optionalNumber;
import static ai.meridian.support.inboundhttp.RequestJson.optionalString;
import static ai.meridian.support.inboundhttp.RequestJson.requiredObject;
import static ai.meridian.support.inboundhttp.RequestJson.requiredString;
import static ai.meridian.support.inboundhttp.RequestJson.stop;
import static ai.meridian.support.inboundhttp.RequestJson.wrongType;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.conversation.ConversationRef;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.CacheOptions;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads an OpenAI chat-completions request body into a domain {@link ChatRequest}. Every problem is a
 * 400 naming the parameter, worded like OpenAI's own errors. Every field is kept: the ones the gateway
 * interprets become typed values (messages with tool calls and content parts, tools, sampling controls);
 * every other field, OpenAI's or a vendor's ({@code logit_bias}, {@code reasoning_effort}, {@code thinking},
 * {@code chat_template_kwargs}, an SDK's {@code extra_body}), is carried as raw JSON to the backend, which
 * forwards it or refuses the request naming it. Fields sent as {@code null} count as not sent.
 */
public final class ChatRequestParser {
    static final String CONVERSATION_ID = "conversation_id";
    /** Fields the gateway itself consumes (they never reach a backend). Other protocol doors share them. */
    static final Set<String> GATEWAY_FIELDS = Set.of("conversation_id", "web_search", "knowledge_bases", CacheOptions.FIELD);
    /** Fields read into typed values below; everything else at the top level is passed through. */
    private static final Set<String> TYPED_FIELDS = Set.of("model", "messages", "stream", "stream_options", "temperature", "top_p",
            "max_tokens", "max_completion_tokens", "stop", "seed", "user", "response_format", "presence_penalty",
            "frequency_penalty", "n", "logprobs", "top_logprobs", "tools", "tool_choice", "parallel_tool_calls", "functions",
            "function_call");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_calls", "function_call",
            "tool_call_id", "reasoning_content");
    private static final int MAX_MESSAGES = 100_000;

    private ChatRequestParser() {
    }

    /**
     * The use case's command for a request body: the parsed request, who asks (request id, tenant, key, the
     * client's {@code traceparent}, arrival time, the headers the operator lets through to backends) and the
     * conversation named in the body or header, and what the client asks of the response cache ({@link CacheOptions}).
     */
    public static ChatCommand command(byte[] body, String requestId, Caller caller, long receivedAtNanos, String clientAddress,
                               UnaryOperator<String> header, ForwardedHeaders forwarded) {
        JsonNode root = RequestJson.readObject(body);
        ChatRequest request = parse(root);
        return new ChatCommand(CallerContext.of(caller, requestId, header.apply("traceparent"), receivedAtNanos, clientAddress,
                        forwarded.select(header)).withCache(CacheOptions.read(root, header.apply("cache-control"))),
                request, conversation(root, header.apply(AnswerHeaders.CONVERSATION_HEADER)));
    }

    static ChatRequest parse(byte[] body) {
        return parse(RequestJson.readObject(body));
    }

    static ChatRequest parse(JsonNode root) {
        String model = requiredString(root, "model");
        List<ChatMessage> messages = messages(root);
        boolean stream = Boolean.TRUE.equals(optionalBoolean(root, "stream"));
        boolean includeUsage = streamOptions(root, stream);
        Integer maxCompletionTokens = optionalInt(root, "max_completion_tokens");
        Integer maxTokens = maxCompletionTokens != null ? maxCompletionTokens : optionalInt(root, "max_tokens");
        String maxTokensField = maxCompletionTokens != null ? "max_completion_tokens" : maxTokens != null ? "max_tokens" : null;
        try {
            GenerationParams params = new GenerationParams(
                    optionalNumber(root, "temperature"),
                    optionalNumber(root, "top_p"),
                    maxTokens,
                    stop(root, "stop"),
                    optionalLong(root, "seed"),
                    optionalString(root, "user"),
                    responseFormat(root),
                    optionalNumber(root, "presence_penalty"),
                    optionalNumber(root, "frequency_penalty"),
                    optionalInt(root, "n"),
                    optionalBoolean(root, "logprobs"),
                    optionalInt(root, "top_logprobs"),
                    passThrough(root),
                    maxTokensField);
            return new ChatRequest(model, messages, params, stream, includeUsage, grounding(root), ToolsParser.tools(root));
        } catch (InvalidValueException e) {
            throw invalidValue(e.param(), e.getMessage());
        }
    }

    /** Every top-level field neither typed nor the gateway's own, as raw JSON in the client's order. */
    private static Map<String, String> passThrough(JsonNode root) {
        Map<String, String> extra = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (TYPED_FIELDS.contains(name) || GATEWAY_FIELDS.contains(name) || field.getValue().isNull()) {
                continue;
            }
            if (name.isEmpty() || name.length() > 128) {
                throw invalidValue(name.isEmpty() ? null : name.substring(0, 128),
                        "Unrecognized request argument: field names must be 1 to 128 characters.");
            }
            extra.put(name, field.getValue().toString());
        }
        return extra;
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
        if (node.size() > MAX_MESSAGES) {
            throw invalidValue("messages", "Invalid 'messages': at most " + MAX_MESSAGES + " messages per request.");
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
        Role role = Role.fromWire(roleName).orElseThrow(() -> new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Invalid value: '" + roleName + "'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool', and 'function'.",
                path + ".role", "invalid_value", null)));
        ChatMessage.Builder message = ChatMessage.builder(role);
        content(node.get("content"), path + ".content", role, message);
        message.name(optionalString(node, "name", path + ".name"));
        if (role == Role.FUNCTION && node.get("name") == null) {
            throw missing(path + ".name");
        }
        JsonNode calls = node.get("tool_calls");
        if (calls != null && !calls.isNull()) {
            onlyFor(role, Role.ASSISTANT, path + ".tool_calls");
            message.toolCalls(ToolsParser.toolCalls(calls, path + ".tool_calls"));
        }
        JsonNode functionCall = node.get("function_call");
        if (functionCall != null && !functionCall.isNull()) {
            onlyFor(role, Role.ASSISTANT, path + ".function_call");
            message.functionCall(ToolsParser.functionCall(functionCall, path + ".function_call"));
        }
        if (role == Role.TOOL) {
            message.toolCallId(requiredString(node, "tool_call_id", path + ".tool_call_id"));
        } else if (node.hasNonNull("tool_call_id")) {
            onlyFor(role, Role.TOOL, path + ".tool_call_id");
        }
        String reasoning = optionalString(node, "reasoning_content", path + ".reasoning_content");
        if (reasoning != null) {
            onlyFor(role, Role.ASSISTANT, path + ".reasoning_content");
            message.reasoningContent(reasoning);
        }
        Map<String, String> extra = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> {
            if (!MESSAGE_FIELDS.contains(field.getKey()) && !field.getValue().isNull()) {
                extra.put(field.getKey(), field.getValue().toString());
            }
        });
        message.extra(extra);
        try {
            return message.build();
        } catch (InvalidValueException e) {
            throw invalidValue(path + "." + e.param(), e.getMessage());
        }
    }

    private static void onlyFor(Role role, Role allowed, String path) {
        if (role != allowed) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid parameter: '" + path + "' is only allowed on messages with role '" + allowed.wireName() + "'.",
                    path, "invalid_value", null));
        }
    }

    /** A message's content: a string, an array of parts, or (assistant and function messages only) nothing. */
    private static void content(JsonNode node, String path, Role role, ChatMessage.Builder message) {
        if (node == null || node.isNull()) {
            if (role == Role.ASSISTANT) {
                message.contentNull(true);
                return;
            }
            if (role == Role.FUNCTION) {
                message.content("");
                return;
            }
            throw missing(path);
        }
        if (node.isTextual()) {
            message.content(node.asText());
            return;
        }
        if (!node.isArray()) {
            throw wrongType(path, "a string or an array of content parts", node);
        }
        List<ContentPart> parts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            parts.add(part(node.get(i), path + "[" + i + "]"));
        }
        if (parts.isEmpty()) {
            message.content("");
        }
        message.parts(parts);
    }

    /**
     * One content part. Text parts keep their text (and, when they carry more, such as {@code cache_control},
     * the whole object); every other kind is kept whole, checked only where a mistake is plain.
     */
    private static ContentPart part(JsonNode part, String path) {
        if (!part.isObject()) {
            throw wrongType(path, "an object", part);
        }
        String type = requiredString(part, "type", path + ".type");
        switch (type) {
            case ContentPart.TEXT:
                String text = requiredString(part, "text", path + ".text");
                return new ContentPart(type, text, part.size() > 2 ? part.toString() : null);
            case ContentPart.IMAGE_URL:
                JsonNode image = requiredObject(part, "image_url", path + ".image_url");
                requiredString(image, "url", path + ".image_url.url");
                break;
            case ContentPart.INPUT_AUDIO:
                JsonNode audio = requiredObject(part, "input_audio", path + ".input_audio");
                requiredString(audio, "data", path + ".input_audio.data");
                requiredString(audio, "format", path + ".input_audio.format");
                break;
            case ContentPart.FILE:
                requiredObject(part, "file", path + ".file");
                break;
            default:
                if (type.isEmpty() || type.length() > 64) {
                    throw invalidValue(path + ".type", "Invalid value for '" + path + ".type'.");
                }
        }
        return ContentPart.of(type, part.toString());
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
            throw invalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        options.fieldNames().forEachRemaining(name -> {
            if (!name.equals("include_usage")) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "Unrecognized request argument supplied: 'stream_options." + name + "'. This gateway reads 'include_usage' only.",
                        "stream_options." + name, "unknown_parameter", null));
            }
        });
        return Boolean.TRUE.equals(optionalBoolean(options, "include_usage", "stream_options.include_usage"));
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
            throw invalidValue(e.param(), e.getMessage());
        }
    }
}
