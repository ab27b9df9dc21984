package ai.meridian.adapter.in.anthropic;

import ai.meridian.support.inboundhttp.CacheOptions;
import ai.meridian.application.port.in.CacheDirective;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.conversation.ConversationRef;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.GroundingRequest;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.inboundhttp.RequestJson;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an Anthropic Messages request into the domain's chat request. Every problem is a 400 naming the field the
 * way Anthropic does ({@code messages.0.content.1.source: ...}). The translation, field by field:
 * <ul>
 * <li>{@code system} (a string or text blocks) becomes the first message, a system message;</li>
 * <li>a user turn's {@code text} blocks become text parts (blocks with more, such as {@code cache_control}, keep their
 *     object), {@code image} blocks {@code image_url} parts (base64 sources as data URLs), base64 PDF
 *     {@code document} blocks {@code file} parts; {@code tool_result} blocks become tool messages (in order, split
 *     out of the turn) with {@code is_error} and {@code cache_control} kept as message fields; any other block kind
 *     ({@code search_result}, other documents, ...) passes as the client wrote it;</li>
 * <li>an assistant turn's {@code text} blocks are its text, {@code tool_use} blocks its tool calls (the input as the
 *     arguments), {@code thinking} its reasoning, and every signed {@code thinking} and {@code redacted_thinking}
 *     block is kept whole under the message's {@code thinking_blocks} so an Anthropic backend gets it back;</li>
 * <li>{@code max_tokens}, {@code temperature}, {@code top_p}, {@code stop_sequences} and {@code metadata.user_id}
 *     are the typed controls; {@code tools} (custom tools as functions; Anthropic's own tool types as written),
 *     {@code tool_choice} ({@code auto}, {@code any} = required, {@code tool}, {@code none};
 *     {@code disable_parallel_tool_use}) the tools; {@code top_k}, {@code thinking} and every field this door does
 *     not know ({@code service_tier}, {@code container}, {@code mcp_servers}, ...) are passed through as written,
 *     for the backend to forward or refuse naming it;</li>
 * <li>Meridian's own {@code conversation_id}, {@code web_search} and {@code knowledge_bases} work as on every door.</li>
 * </ul>
 */
final class MessagesRequestParser {
    static final String CONVERSATION_HEADER = "x-conversation-id";
    private static final Set<String> GATEWAY_FIELDS = Set.of("conversation_id", "web_search", "knowledge_bases", CacheOptions.FIELD);
    private static final Set<String> TYPED_FIELDS = Set.of("model", "messages", "system", "max_tokens", "temperature", "top_p",
            "stop_sequences", "stream", "tools", "tool_choice", "metadata");
    private static final Pattern TOOL_NAME = Pattern.compile("[a-zA-Z0-9_-]{1,128}");
    private static final int MAX_MESSAGES = 100_000;

    private MessagesRequestParser() {
    }

    /** What a request asks, in domain terms, and what the answer must echo: the model name the client asked for. */
    record Parsed(ChatRequest request, String requestedModel, Optional<ConversationRef> conversation, JsonNode root) {
        /** What the client asks of the response cache (the body's {@code cache} field, the {@code Cache-Control} header). */
        CacheDirective cache(String cacheControl) {
            return CacheOptions.read(root, cacheControl);
        }
    }

    /**
     * Parses a Messages request ({@code counting}: a count_tokens request, which needs no {@code max_tokens} and
     * cannot stream). {@code settings} maps the requested model name to a model this gateway serves.
     */
    static Parsed parse(byte[] body, boolean counting, AnthropicSettings settings, String conversationHeader) {
        JsonNode root = readJsonObject(body);
        String requested = requiredString(root, "model", "model");
        if (requested.isEmpty() || requested.length() > 256) {
            throw invalid("model", "String should have at least 1 and at most 256 characters");
        }
        List<ChatMessage> messages = new ArrayList<>();
        system(root.get("system"), messages);
        messages(root, messages);
        Integer maxTokens = integer(root, "max_tokens");
        if (maxTokens == null && !counting) {
            throw missing("max_tokens");
        }
        if (maxTokens != null && maxTokens < 1) {
            throw invalid("max_tokens", "Input should be greater than or equal to 1");
        }
        boolean stream = bool(root, "stream");
        if (stream && counting) {
            throw invalid("stream", "Extra inputs are not permitted");
        }
        Double temperature = unitInterval(root, "temperature");
        Double topP = unitInterval(root, "top_p");
        Map<String, String> extra = passThrough(root);
        JsonNode topK = root.get("top_k");
        if (topK != null && !topK.isNull() && (!topK.isIntegralNumber() || !topK.canConvertToInt() || topK.intValue() < 0)) {
            throw invalid("top_k", "Input should be a non-negative integer");
        }
        thinking(root.get("thinking"));
        String user = metadata(root.get("metadata"));
        try {
            GenerationParams params = new GenerationParams(temperature, topP, maxTokens, stopSequences(root), null, user, null, null, null,
                    null, null, null, extra, maxTokens == null ? null : "max_tokens");
            ChatRequest request = new ChatRequest(settings.modelFor(requested), messages, params, stream, true, grounding(root), tools(root));
            return new Parsed(request, requested, conversation(root, conversationHeader), root);
        } catch (InvalidValueException e) {
            throw invalid(anthropicName(e.param()), e.getMessage());
        }
    }

    /** The domain's parameter names where Anthropic's differ. */
    private static String anthropicName(String param) {
        if (param == null) {
            return "body";
        }
        switch (param) {
            case "stop":
                return "stop_sequences";
            case "user":
                return "metadata.user_id";
            case "tools.function.name":
                return "tools.name";
            default:
                return param;
        }
    }

    static JsonNode readJsonObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw invalid("body", "The request body is empty; the API expects a JSON object.");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "There was an issue with the format of your request: "
                    + "the body is not valid JSON encoded as UTF-8 (" + RequestJson.describe(e) + ")", null, "invalid_json", null), e);
        } catch (IOException e) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "The request body could not be read.", null, "invalid_json", null));
        }
        if (root == null || !root.isObject()) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "The request body must be a JSON object.", null,
                    "invalid_json", null));
        }
        return root;
    }

    // ---- system and messages ----

    private static void system(JsonNode node, List<ChatMessage> messages) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isTextual()) {
            messages.add(ChatMessage.system(node.asText()));
            return;
        }
        if (!node.isArray()) {
            throw wrongType("system", "a string or an array of text blocks", node);
        }
        List<ContentPart> parts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String path = "system." + i;
            JsonNode block = node.get(i);
            if (!block.isObject()) {
                throw wrongType(path, "an object", block);
            }
            String type = requiredString(block, "type", path + ".type");
            if (!type.equals("text")) {
                throw invalid(path + ".type", "Input should be 'text'");
            }
            parts.add(textPart(block, path));
        }
        if (!parts.isEmpty()) {
            messages.add(ChatMessage.builder(Role.SYSTEM).parts(parts).build());
        }
    }

    private static void messages(JsonNode root, List<ChatMessage> messages) {
        JsonNode node = root.get("messages");
        if (node == null || node.isNull()) {
            throw missing("messages");
        }
        if (!node.isArray()) {
            throw wrongType("messages", "a list", node);
        }
        if (node.isEmpty()) {
            throw invalid("messages", "List should have at least 1 item after validation, not 0");
        }
        if (node.size() > MAX_MESSAGES) {
            throw invalid("messages", "at most " + MAX_MESSAGES + " messages per request");
        }
        for (int i = 0; i < node.size(); i++) {
            String path = "messages." + i;
            JsonNode message = node.get(i);
            if (!message.isObject()) {
                throw wrongType(path, "an object", message);
            }
            String role = requiredString(message, "role", path + ".role");
            message.fieldNames().forEachRemaining(field -> {
                if (!field.equals("role") && !field.equals("content")) {
                    throw invalid(path + "." + field, "Extra inputs are not permitted");
                }
            });
            JsonNode content = message.get("content");
            if (content == null || content.isNull()) {
                throw missing(path + ".content");
            }
            switch (role) {
                case "user":
                    userTurn(content, path + ".content", messages);
                    break;
                case "assistant":
                    messages.add(assistantTurn(content, path + ".content"));
                    break;
                default:
                    throw invalid(path + ".role", "Input should be 'user' or 'assistant'"
                            + (role.equals("system") ? "; a system prompt goes in the top-level 'system' field" : ""));
            }
        }
    }

    /** A user turn: its blocks in order, each run of ordinary blocks one user message, each tool result a tool message. */
    private static void userTurn(JsonNode content, String path, List<ChatMessage> messages) {
        if (content.isTextual()) {
            messages.add(ChatMessage.user(content.asText()));
            return;
        }
        if (!content.isArray()) {
            throw wrongType(path, "a string or a list of content blocks", content);
        }
        List<ContentPart> run = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String at = path + "." + i;
            JsonNode block = block(content.get(i), at);
            String type = block.get("type").asText();
            switch (type) {
                case "tool_result":
                    if (!run.isEmpty()) {
                        messages.add(ChatMessage.builder(Role.USER).parts(run).build());
                        run = new ArrayList<>();
                    }
                    messages.add(toolResult(block, at));
                    break;
                case "thinking":
                case "redacted_thinking":
                case "tool_use":
                    throw invalid(at + ".type", "'" + type + "' blocks are only allowed in assistant messages");
                default:
                    run.add(userPart(block, type, at));
            }
        }
        if (!run.isEmpty() || content.isEmpty()) {
            messages.add(run.isEmpty() ? ChatMessage.user("") : ChatMessage.builder(Role.USER).parts(run).build());
        }
    }

    private static JsonNode block(JsonNode block, String at) {
        if (!block.isObject()) {
            throw wrongType(at, "an object", block);
        }
        String type = requiredString(block, "type", at + ".type");
        if (type.isEmpty() || type.length() > 64) {
            throw invalid(at + ".type", "Input should be a content block type");
        }
        return block;
    }

    /** A block of a user turn (or of a tool result's content) as a content part. */
    private static ContentPart userPart(JsonNode block, String type, String at) {
        switch (type) {
            case "text":
                return textPart(block, at);
            case "image":
                return image(block, at);
            case "document":
                return document(block, at);
            default:
                return ContentPart.of(type, block.toString());
        }
    }

    /** A text block: its text, and the whole object when it carries more ({@code cache_control}, {@code citations}). */
    private static ContentPart textPart(JsonNode block, String at) {
        String text = requiredString(block, "text", at + ".text");
        return new ContentPart(ContentPart.TEXT, text, block.size() > 2 ? block.toString() : null);
    }

    /** An image block as an {@code image_url} part; a base64 source becomes a data URL, {@code cache_control} stays. */
    private static ContentPart image(JsonNode block, String at) {
        JsonNode source = requiredObject(block, "source", at + ".source");
        String sourceType = requiredString(source, "type", at + ".source.type");
        String url;
        switch (sourceType) {
            case "base64":
                String mediaType = requiredString(source, "media_type", at + ".source.media_type");
                if (!mediaType.matches("image/(jpeg|png|gif|webp)")) {
                    throw invalid(at + ".source.media_type", "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'");
                }
                url = "data:" + mediaType + ";base64," + requiredString(source, "data", at + ".source.data");
                break;
            case "url":
                url = requiredString(source, "url", at + ".source.url");
                break;
            default:
                // file ids and sources added later: only an Anthropic backend can take them, as written
                return ContentPart.of("image", block.toString());
        }
        ObjectNode part = Json.MAPPER.createObjectNode();
        part.put("type", ContentPart.IMAGE_URL);
        part.putObject("image_url").put("url", url);
        copyOthers(block, part, Set.of("type", "source"));
        return ContentPart.of(ContentPart.IMAGE_URL, part.toString());
    }

    /** A base64 PDF document as a {@code file} part; other documents (text, URL, content) pass as written. */
    private static ContentPart document(JsonNode block, String at) {
        JsonNode source = requiredObject(block, "source", at + ".source");
        String sourceType = requiredString(source, "type", at + ".source.type");
        if (sourceType.equals("base64") && "application/pdf".equals(text(source.get("media_type")))) {
            ObjectNode part = Json.MAPPER.createObjectNode();
            part.put("type", ContentPart.FILE);
            ObjectNode file = part.putObject("file");
            file.put("file_data", "data:application/pdf;base64," + requiredString(source, "data", at + ".source.data"));
            String title = text(block.get("title"));
            if (title != null) {
                file.put("filename", title);
            }
            copyOthers(block, part, Set.of("type", "source", "title"));
            return ContentPart.of(ContentPart.FILE, part.toString());
        }
        return ContentPart.of("document", block.toString());
    }

    private static void copyOthers(JsonNode from, ObjectNode to, Set<String> except) {
        from.fields().forEachRemaining(field -> {
            if (!except.contains(field.getKey())) {
                to.set(field.getKey(), field.getValue());
            }
        });
    }

    /** A tool result as a tool message: content as text or parts; {@code is_error} and {@code cache_control} kept. */
    private static ChatMessage toolResult(JsonNode block, String at) {
        String id = requiredString(block, "tool_use_id", at + ".tool_use_id");
        if (id.isEmpty()) {
            throw invalid(at + ".tool_use_id", "String should have at least 1 character");
        }
        ChatMessage.Builder message = ChatMessage.builder(Role.TOOL).toolCallId(id);
        JsonNode content = block.get("content");
        if (content == null || content.isNull()) {
            message.content("");
        } else if (content.isTextual()) {
            message.content(content.asText());
        } else if (content.isArray()) {
            List<ContentPart> parts = new ArrayList<>(content.size());
            for (int i = 0; i < content.size(); i++) {
                String path = at + ".content." + i;
                JsonNode inner = block(content.get(i), path);
                String type = inner.get("type").asText();
                if (type.equals("tool_result") || type.equals("tool_use") || type.equals("thinking")) {
                    throw invalid(path + ".type", "a tool result holds text, images and documents, not '" + type + "'");
                }
                parts.add(userPart(inner, type, path));
            }
            if (parts.isEmpty()) {
                message.content("");
            } else {
                message.parts(parts);
            }
        } else {
            throw wrongType(at + ".content", "a string or a list of content blocks", content);
        }
        Map<String, String> extra = new LinkedHashMap<>();
        JsonNode isError = block.get("is_error");
        if (isError != null && !isError.isNull()) {
            if (!isError.isBoolean()) {
                throw wrongType(at + ".is_error", "a boolean", isError);
            }
            if (isError.booleanValue()) {
                extra.put("is_error", "true");
            }
        }
        block.fields().forEachRemaining(field -> {
            String name = field.getKey();
            if (!name.equals("type") && !name.equals("tool_use_id") && !name.equals("content") && !name.equals("is_error")
                    && !field.getValue().isNull()) {
                extra.put(name, field.getValue().toString()); // cache_control, and anything newer, for the backend
            }
        });
        return message.extra(extra).build();
    }

    /** An assistant turn: text, tool calls, reasoning, and the signed thinking blocks kept whole. */
    private static ChatMessage assistantTurn(JsonNode content, String path) {
        if (content.isTextual()) {
            return ChatMessage.assistant(content.asText());
        }
        if (!content.isArray()) {
            throw wrongType(path, "a string or a list of content blocks", content);
        }
        List<ContentPart> parts = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        StringBuilder reasoning = null;
        List<String> thinkingBlocks = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String at = path + "." + i;
            JsonNode block = block(content.get(i), at);
            String type = block.get("type").asText();
            switch (type) {
                case "text":
                    parts.add(textPart(block, at));
                    break;
                case "tool_use":
                    String id = requiredString(block, "id", at + ".id");
                    String name = requiredString(block, "name", at + ".name");
                    JsonNode input = block.get("input");
                    if (input == null || input.isNull()) {
                        throw missing(at + ".input");
                    }
                    if (!input.isObject()) {
                        throw wrongType(at + ".input", "an object", input);
                    }
                    if (id.isEmpty() || id.length() > 256 || name.isEmpty()) {
                        throw invalid(at, "a tool_use block needs an id (1 to 256 characters) and a name");
                    }
                    calls.add(ToolCall.function(id, name, input.toString()));
                    break;
                case "thinking":
                    String thinking = requiredString(block, "thinking", at + ".thinking");
                    String signature = text(block.get("signature"));
                    reasoning = (reasoning == null ? new StringBuilder() : reasoning).append(thinking);
                    if (signature != null && !signature.isEmpty()) {
                        thinkingBlocks.add(block.toString());
                    }
                    break;
                case "redacted_thinking":
                    requiredString(block, "data", at + ".data");
                    thinkingBlocks.add(block.toString());
                    break;
                case "image":
                case "document":
                case "tool_result":
                    throw invalid(at + ".type", "'" + type + "' blocks are only allowed in user messages");
                default:
                    parts.add(ContentPart.of(type, block.toString())); // server tool blocks and newer kinds, as written
            }
        }
        ChatMessage.Builder message = ChatMessage.builder(Role.ASSISTANT);
        boolean onlyText = parts.stream().allMatch(p -> p.isText() && p.json() == null);
        if (parts.isEmpty()) {
            message.contentNull(!calls.isEmpty());
            message.content(calls.isEmpty() ? "" : null);
        } else if (onlyText) {
            StringBuilder text = new StringBuilder();
            parts.forEach(p -> text.append(p.text()));
            message.content(text.toString());
        } else {
            message.parts(parts);
        }
        message.toolCalls(calls);
        if (reasoning != null) {
            message.reasoningContent(reasoning.toString());
        }
        if (!thinkingBlocks.isEmpty()) {
            message.extra(Map.of("thinking_blocks", "[" + String.join(",", thinkingBlocks) + "]"));
        }
        return message.build();
    }

    // ---- tools ----

    private static ToolSpec tools(JsonNode root) {
        JsonNode tools = root.get("tools");
        List<ToolDefinition> definitions = new ArrayList<>();
        if (tools != null && !tools.isNull()) {
            if (!tools.isArray()) {
                throw wrongType("tools", "a list", tools);
            }
            for (int i = 0; i < tools.size(); i++) {
                definitions.add(tool(tools.get(i), "tools." + i));
            }
        }
        Optional<ToolChoice> choice = Optional.empty();
        Optional<Boolean> parallel = Optional.empty();
        JsonNode node = root.get("tool_choice");
        if (node != null && !node.isNull()) {
            if (!node.isObject()) {
                throw wrongType("tool_choice", "an object", node);
            }
            String type = requiredString(node, "type", "tool_choice.type");
            switch (type) {
                case "auto":
                    choice = Optional.of(ToolChoice.AUTO);
                    break;
                case "any":
                    choice = Optional.of(ToolChoice.REQUIRED);
                    break;
                case "none":
                    choice = Optional.of(ToolChoice.NONE);
                    break;
                case "tool":
                    String name = requiredString(node, "name", "tool_choice.name");
                    choice = Optional.of(new ToolChoice("function", name, "{\"type\":\"function\",\"function\":{\"name\":"
                            + RawJson.quote(name) + "}}"));
                    break;
                default:
                    throw invalid("tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'");
            }
            JsonNode disable = node.get("disable_parallel_tool_use");
            if (disable != null && !disable.isNull()) {
                if (!disable.isBoolean()) {
                    throw wrongType("tool_choice.disable_parallel_tool_use", "a boolean", disable);
                }
                if (disable.booleanValue()) {
                    parallel = Optional.of(false);
                }
            }
            node.fieldNames().forEachRemaining(field -> {
                if (!Set.of("type", "name", "disable_parallel_tool_use").contains(field)) {
                    throw invalid("tool_choice." + field, "Extra inputs are not permitted");
                }
            });
            if (!type.equals("tool") && node.has("name")) {
                throw invalid("tool_choice.name", "Extra inputs are not permitted");
            }
            if (definitions.isEmpty() && (type.equals("any") || type.equals("tool"))) {
                throw invalid("tool_choice", "tool_choice '" + type + "' needs tools");
            }
        }
        try {
            return new ToolSpec(definitions, choice, parallel, false);
        } catch (InvalidValueException e) {
            throw invalid(e.param() == null ? "tools" : e.param().startsWith("tool_choice") ? "tool_choice.name" : "tools", e.getMessage());
        }
    }

    /**
     * A custom tool ({@code name}, {@code description}, {@code input_schema}) as a function tool in OpenAI's shape,
     * which OpenAI-compatible backends take as written ({@code cache_control} beside it; newer members such as
     * {@code strict} inside it); a tool of one of Anthropic's own types ({@code bash_20250124},
     * {@code web_search_20250305}, ...) is kept as written, for an Anthropic backend.
     */
    private static ToolDefinition tool(JsonNode tool, String path) {
        if (!tool.isObject()) {
            throw wrongType(path, "an object", tool);
        }
        String type = optionalString(tool, "type", path + ".type");
        String name = requiredString(tool, "name", path + ".name");
        if (!TOOL_NAME.matcher(name).matches()) {
            throw invalid(path + ".name", "String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
        }
        if (type != null && !type.equals("custom")) {
            return new ToolDefinition(type, name, null, null, tool.toString());
        }
        String description = optionalString(tool, "description", path + ".description");
        JsonNode schema = tool.get("input_schema");
        if (schema == null || schema.isNull()) {
            throw missing(path + ".input_schema");
        }
        if (!schema.isObject()) {
            throw wrongType(path + ".input_schema", "an object", schema);
        }
        ObjectNode openAi = Json.MAPPER.createObjectNode();
        openAi.put("type", "function");
        ObjectNode function = openAi.putObject("function");
        function.put("name", name);
        if (description != null) {
            function.put("description", description);
        }
        function.set("parameters", schema);
        tool.fields().forEachRemaining(field -> {
            String member = field.getKey();
            if (member.equals("cache_control")) {
                openAi.set(member, field.getValue());
            } else if (!Set.of("type", "name", "description", "input_schema").contains(member) && !field.getValue().isNull()) {
                function.set(member, field.getValue());
            }
        });
        return new ToolDefinition("function", name, description, schema.toString(), openAi.toString());
    }

    // ---- controls ----

    private static List<String> stopSequences(JsonNode root) {
        JsonNode node = root.get("stop_sequences");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw wrongType("stop_sequences", "a list of strings", node);
        }
        List<String> stops = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw wrongType("stop_sequences." + i, "a string", node.get(i));
            }
            stops.add(node.get(i).asText());
        }
        return stops;
    }

    /** {@code thinking}: checked for its shape, then passed through as written. */
    private static void thinking(JsonNode node) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw wrongType("thinking", "an object", node);
        }
        String type = requiredString(node, "type", "thinking.type");
        switch (type) {
            case "enabled":
                JsonNode budget = node.get("budget_tokens");
                if (budget == null || budget.isNull()) {
                    throw missing("thinking.enabled.budget_tokens");
                }
                if (!budget.isIntegralNumber() || !budget.canConvertToInt() || budget.intValue() < 1) {
                    throw invalid("thinking.enabled.budget_tokens", "Input should be a positive integer");
                }
                break;
            case "disabled":
            case "adaptive":
                break;
            default:
                throw invalid("thinking.type", "Input should be 'enabled', 'disabled' or 'adaptive'");
        }
    }

    /** {@code metadata}: its {@code user_id} is the request's user; Anthropic knows no other member. */
    private static String metadata(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw wrongType("metadata", "an object", node);
        }
        node.fieldNames().forEachRemaining(field -> {
            if (!field.equals("user_id")) {
                throw invalid("metadata." + field, "Extra inputs are not permitted");
            }
        });
        String user = optionalString(node, "user_id", "metadata.user_id");
        if (user != null && user.length() > 256) {
            throw invalid("metadata.user_id", "String should have at most 256 characters");
        }
        return user;
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
                throw invalid(name.isEmpty() ? "body" : name.substring(0, 128), "field names must be 1 to 128 characters");
            }
            extra.put(name, field.getValue().toString());
        }
        return extra;
    }

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
                throw wrongType("knowledge_bases", "a list of strings", bases);
            }
            List<String> names = new ArrayList<>(bases.size());
            for (int i = 0; i < bases.size(); i++) {
                if (!bases.get(i).isTextual()) {
                    throw wrongType("knowledge_bases." + i, "a string", bases.get(i));
                }
                names.add(bases.get(i).asText());
            }
            if (names.size() > 16) {
                throw invalid("knowledge_bases", "at most 16 knowledge bases per request");
            }
            knowledgeBases = Optional.of(names);
        }
        return new GroundingRequest(webSearch, knowledgeBases);
    }

    /** The conversation named in the body ({@code conversation_id}) or the {@code X-Conversation-Id} header. */
    private static Optional<ConversationRef> conversation(JsonNode root, String header) {
        String fromBody = optionalString(root, "conversation_id", "conversation_id");
        if (fromBody != null && header != null && !fromBody.equals(header)) {
            throw invalid("conversation_id", "The 'conversation_id' in the body and the X-Conversation-Id header differ; send one of them.");
        }
        String value = fromBody != null ? fromBody : header;
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ConversationRef.parse(value));
        } catch (InvalidValueException e) {
            throw invalid("conversation_id", e.getMessage() + " Use an id returned by this API, or \"" + ConversationRef.NEW
                    + "\" to start a conversation.");
        }
    }

    // ---- field readers; errors worded as Anthropic's validation errors are ----

    private static Double unitInterval(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw wrongType(field, "a number", node);
        }
        double value = node.doubleValue();
        if (Double.isNaN(value) || value < 0 || value > 1) {
            throw invalid(field, "Input should be between 0 and 1");
        }
        return value;
    }

    private static Integer integer(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw wrongType(field, "an integer", node);
        }
        return node.intValue();
    }

    private static boolean bool(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw wrongType(field, "a boolean", node);
        }
        return node.booleanValue();
    }

    private static String text(JsonNode node) {
        return node != null && node.isTextual() ? node.asText() : null;
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

    private static String optionalString(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(path, "a string", node);
        }
        return node.asText();
    }

    private static JsonNode requiredObject(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw missing(path);
        }
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        return node;
    }

    static GatewayException invalid(String path, String message) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, path + ": " + message, path, "invalid_value", null));
    }

    static GatewayException missing(String path) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, path + ": Field required", path,
                "missing_required_parameter", null));
    }

    static GatewayException wrongType(String path, String expected, JsonNode actual) {
        return new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, path + ": Input should be " + expected + ", not "
                + actual.getNodeType().name().toLowerCase(java.util.Locale.ROOT), path, "invalid_type", null));
    }
}
