package ai.meridian.adapter.out.anthropic;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a backend call as a Messages API request. The domain's messages follow OpenAI's chat shapes, so this is
 * where they become Anthropic's: system messages (wherever they stand, grounding's included) join the top-level
 * {@code system}; tool results become {@code tool_result} blocks of a user turn; an assistant's tool calls become
 * {@code tool_use} blocks and its signed thinking ({@code thinking_blocks}) goes back first, as Anthropic requires
 * in a tool loop; {@code image_url} parts become {@code image} blocks, PDF {@code file} parts {@code document}
 * blocks; consecutive turns of one role are joined. What has no Messages-API form is refused with
 * {@link Unsupported} naming it, never dropped.
 */
final class AnthropicRequestWriter {
    /** Message fields that carry Anthropic meaning (as the Anthropic door writes them); any other extra is refused. */
    static final String THINKING_BLOCKS = "thinking_blocks";
    static final String IS_ERROR = "is_error";
    static final String CACHE_CONTROL = "cache_control";
    private static final Set<String> TOOL_CHOICE_TYPES = Set.of("auto", "any", "tool", "none");

    private AnthropicRequestWriter() {
    }

    /** The call asks for something the Messages API cannot express; {@code param} names the field. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String param;

        Unsupported(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }

        String param() {
            return param;
        }
    }

    static void write(ByteBuf target, BackendCall call, boolean stream, AnthropicBackendConfig config) {
        try (JsonGenerator g = AnthropicWire.JSON.createGenerator((OutputStream) new ByteBufOutputStream(target))) {
            write(g, call, stream, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(JsonGenerator g, BackendCall call, boolean stream, AnthropicBackendConfig config) throws IOException {
        GenerationParams p = call.params();
        if (p.choices() > 1) {
            throw new Unsupported("n", "the Messages API answers with one choice; 'n' must be 1");
        }
        Map<String, String> extra = p.extra();
        g.writeStartObject();
        g.writeStringField("model", call.upstreamModel());
        g.writeNumberField("max_tokens", p.maxTokens() != null ? p.maxTokens() : config.defaultMaxTokens());
        List<ChatMessage> system = new ArrayList<>();
        for (ChatMessage m : call.messages()) {
            if (m.role() == Role.SYSTEM) {
                system.add(m);
            }
        }
        if (!system.isEmpty()) {
            g.writeArrayFieldStart("system");
            for (ChatMessage m : system) {
                textBlocks(g, m, "system");
            }
            g.writeEndArray();
        }
        messages(g, call.messages());
        if (stream) {
            g.writeBooleanField("stream", true);
        }
        if (config.samplingRemoved() && (p.temperature() != null || p.topP() != null)) {
            String field = p.temperature() != null ? "temperature" : "top_p";
            throw new Unsupported(field, "Messages API version " + config.anthropicVersion() + " has no '" + field
                    + "' (sampling uses the model's defaults)");
        }
        if (p.temperature() != null) {
            g.writeNumberField("temperature", p.temperature());
        }
        if (p.topP() != null) {
            g.writeNumberField("top_p", p.topP());
        }
        if (!p.stop().isEmpty()) {
            g.writeArrayFieldStart("stop_sequences");
            for (String s : p.stop()) {
                g.writeString(s);
            }
            g.writeEndArray();
        }
        for (String typed : new String[] {"seed", "presence_penalty", "frequency_penalty", "response_format", "logprobs"}) {
            if (typedSet(p, typed)) {
                throw new Unsupported(typed, "the Messages API has no '" + typed + "'");
            }
        }
        if (p.user() != null || extra.containsKey("metadata")) {
            metadata(g, p.user(), extra.get("metadata"));
        }
        tools(g, call.tools());
        for (Map.Entry<String, String> field : extra.entrySet()) {
            if (!field.getKey().equals("metadata")) {
                g.writeFieldName(field.getKey());
                g.writeRawValue(field.getValue());
            }
        }
        g.writeEndObject();
    }

    private static boolean typedSet(GenerationParams p, String name) {
        switch (name) {
            case "seed":
                return p.seed() != null;
            case "presence_penalty":
                return p.presencePenalty() != null;
            case "frequency_penalty":
                return p.frequencyPenalty() != null;
            case "response_format":
                return p.responseFormat() != null && p.responseFormat().isJson();
            case "logprobs":
                return Boolean.TRUE.equals(p.logprobs());
            default:
                return false;
        }
    }

    /** {@code metadata}: the client's object, with {@code user_id} from {@code user} when it does not name one. */
    private static void metadata(JsonGenerator g, String user, String metadataJson) throws IOException {
        g.writeObjectFieldStart("metadata");
        boolean named = false;
        if (metadataJson != null) {
            if (!RawJson.isObject(metadataJson)) {
                throw new Unsupported("metadata", "'metadata' must be an object");
            }
            for (Map.Entry<String, String> member : RawJson.objectMembers(metadataJson).entrySet()) {
                g.writeFieldName(member.getKey());
                g.writeRawValue(member.getValue());
                named |= member.getKey().equals("user_id");
            }
        }
        if (user != null && !named) {
            g.writeStringField("user_id", user);
        }
        g.writeEndObject();
    }

    /** The turns, each role's consecutive messages joined into one turn of blocks. */
    private static void messages(JsonGenerator g, List<ChatMessage> messages) throws IOException {
        g.writeArrayFieldStart("messages");
        String openRole = null;
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            String where = "messages[" + i + "]";
            if (m.role() == Role.SYSTEM) {
                continue;
            }
            if (m.role() == Role.FUNCTION) {
                throw new Unsupported(where + ".role", "legacy 'function' messages have no call id to answer; use tool messages");
            }
            String role = m.role() == Role.ASSISTANT ? "assistant" : "user";
            if (!role.equals(openRole)) {
                if (openRole != null) {
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeStartObject();
                g.writeStringField("role", role);
                g.writeArrayFieldStart("content");
                openRole = role;
            }
            if (m.name() != null) {
                throw new Unsupported(where + ".name", "the Messages API has no participant names");
            }
            switch (m.role()) {
                case USER:
                    checkExtras(m, where, Set.of());
                    contentBlocks(g, m, where);
                    break;
                case TOOL:
                    checkExtras(m, where, Set.of(IS_ERROR, CACHE_CONTROL));
                    toolResult(g, m, where);
                    break;
                default:
                    checkExtras(m, where, Set.of(THINKING_BLOCKS));
                    assistant(g, m, where);
            }
        }
        if (openRole != null) {
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void checkExtras(ChatMessage m, String where, Set<String> allowed) {
        for (String field : m.extra().keySet()) {
            if (!allowed.contains(field)) {
                throw new Unsupported(where + "." + field, "the Messages API has no message field '" + field + "'");
            }
        }
    }

    /** A system message's text as text blocks (parts that carried more, such as {@code cache_control}, as written). */
    private static void textBlocks(JsonGenerator g, ChatMessage m, String where) throws IOException {
        if (m.parts().isEmpty()) {
            if (!m.content().isEmpty()) {
                textBlock(g, m.content());
            }
            return;
        }
        for (ContentPart part : m.parts()) {
            if (!part.isText()) {
                throw new Unsupported(where, "system content must be text, not '" + part.type() + "'");
            }
            part(g, part, where);
        }
    }

    private static void textBlock(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    private static void contentBlocks(JsonGenerator g, ChatMessage m, String where) throws IOException {
        if (m.parts().isEmpty()) {
            textBlock(g, m.content());
            return;
        }
        for (int i = 0; i < m.parts().size(); i++) {
            part(g, m.parts().get(i), where + ".content[" + i + "]");
        }
    }

    /** One content part as a content block. */
    private static void part(JsonGenerator g, ContentPart part, String where) throws IOException {
        switch (part.type()) {
            case ContentPart.TEXT:
                if (part.json() != null) {
                    g.writeRawValue(part.json());
                } else {
                    textBlock(g, part.text());
                }
                return;
            case ContentPart.IMAGE_URL:
                image(g, part.json(), where);
                return;
            case ContentPart.FILE:
                file(g, part.json(), where);
                return;
            case ContentPart.INPUT_AUDIO:
                throw new Unsupported(where, "the Messages API takes no audio input");
            default:
                // A block the client wrote in Anthropic's own terms (document, search_result, ...): as written.
                g.writeRawValue(part.json());
        }
    }

    /** An {@code image_url} part: a data URL becomes a base64 source, anything else a URL source. */
    private static void image(JsonGenerator g, String json, String where) throws IOException {
        Map<String, String> members = RawJson.objectMembers(json);
        String imageUrl = members.get("image_url");
        String url = imageUrl == null || !RawJson.isObject(imageUrl) ? null : RawJson.stringValue(RawJson.objectMembers(imageUrl).get("url"));
        if (url == null) {
            throw new Unsupported(where + ".image_url.url", "an image part needs its url");
        }
        g.writeStartObject();
        g.writeStringField("type", "image");
        g.writeObjectFieldStart("source");
        DataUrl data = DataUrl.parse(url);
        if (data != null) {
            g.writeStringField("type", "base64");
            g.writeStringField("media_type", data.mediaType());
            g.writeStringField("data", data.base64());
        } else {
            g.writeStringField("type", "url");
            g.writeStringField("url", url);
        }
        g.writeEndObject();
        copyCacheControl(g, members);
        g.writeEndObject();
    }

    /** A {@code file} part with inline PDF data becomes a {@code document} block. */
    private static void file(JsonGenerator g, String json, String where) throws IOException {
        Map<String, String> members = RawJson.objectMembers(json);
        String file = members.get("file");
        Map<String, String> fileMembers = file == null || !RawJson.isObject(file) ? Map.of() : RawJson.objectMembers(file);
        String fileData = RawJson.stringValue(fileMembers.get("file_data"));
        DataUrl data = fileData == null ? null : DataUrl.parse(fileData);
        if (data == null) {
            throw new Unsupported(where + ".file", "only files sent inline as a base64 data URL ('file_data') can go to the Messages API");
        }
        g.writeStartObject();
        g.writeStringField("type", "document");
        g.writeObjectFieldStart("source");
        g.writeStringField("type", "base64");
        g.writeStringField("media_type", data.mediaType());
        g.writeStringField("data", data.base64());
        g.writeEndObject();
        String filename = RawJson.stringValue(fileMembers.get("filename"));
        if (filename != null) {
            g.writeStringField("title", filename);
        }
        copyCacheControl(g, members);
        g.writeEndObject();
    }

    private static void copyCacheControl(JsonGenerator g, Map<String, String> members) throws IOException {
        String cacheControl = members.get(CACHE_CONTROL);
        if (cacheControl != null) {
            g.writeFieldName(CACHE_CONTROL);
            g.writeRawValue(cacheControl);
        }
    }

    private static void toolResult(JsonGenerator g, ChatMessage m, String where) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "tool_result");
        g.writeStringField("tool_use_id", m.toolCallId());
        if (m.parts().isEmpty()) {
            g.writeStringField("content", m.content());
        } else {
            g.writeArrayFieldStart("content");
            for (int i = 0; i < m.parts().size(); i++) {
                part(g, m.parts().get(i), where + ".content[" + i + "]");
            }
            g.writeEndArray();
        }
        String isError = m.extra().get(IS_ERROR);
        if (isError != null) {
            g.writeFieldName(IS_ERROR);
            g.writeRawValue(isError);
        }
        String cacheControl = m.extra().get(CACHE_CONTROL);
        if (cacheControl != null) {
            g.writeFieldName(CACHE_CONTROL);
            g.writeRawValue(cacheControl);
        }
        g.writeEndObject();
    }

    /**
     * An assistant turn: its signed thinking first (reasoning without a signature cannot be verified by the
     * upstream and is not sent), then its text, then its tool calls.
     */
    private static void assistant(JsonGenerator g, ChatMessage m, String where) throws IOException {
        String thinking = m.extra().get(THINKING_BLOCKS);
        if (thinking != null) {
            if (!thinking.stripLeading().startsWith("[")) {
                throw new Unsupported(where + "." + THINKING_BLOCKS, "'" + THINKING_BLOCKS + "' must be an array of thinking blocks");
            }
            try (com.fasterxml.jackson.core.JsonParser p = AnthropicWire.JSON.createParser(thinking)) {
                p.nextToken();
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    g.writeRawValue(RawJson.read(p));
                }
            }
        }
        if (m.parts().isEmpty()) {
            if (!m.content().isEmpty()) {
                textBlock(g, m.content());
            }
        } else {
            for (int i = 0; i < m.parts().size(); i++) {
                ContentPart part = m.parts().get(i);
                if (part.isText() && part.text().isEmpty() && part.json() == null) {
                    continue;
                }
                part(g, part, where + ".content[" + i + "]");
            }
        }
        List<ToolCall> calls = m.toolCalls();
        if (m.functionCall() != null) {
            throw new Unsupported(where + ".function_call", "the legacy 'function_call' has no call id; use 'tool_calls'");
        }
        for (int i = 0; i < calls.size(); i++) {
            ToolCall call = calls.get(i);
            String at = where + ".tool_calls[" + i + "]";
            if (call.id() == null) {
                throw new Unsupported(at + ".id", "a tool call needs its id");
            }
            g.writeStartObject();
            g.writeStringField("type", "tool_use");
            g.writeStringField("id", call.id());
            g.writeStringField("name", call.name());
            g.writeFieldName("input");
            g.writeRawValue(input(call.arguments(), at));
            g.writeEndObject();
        }
    }

    /** A tool call's arguments as the {@code input} object (the model's JSON, which must be an object). */
    private static String input(String arguments, String where) {
        if (arguments == null || arguments.isBlank()) {
            return "{}";
        }
        if (RawJson.isObject(arguments)) {
            try {
                RawJson.objectMembers(arguments);
                return arguments;
            } catch (IllegalArgumentException malformed) {
                // refused below
            }
        }
        throw new Unsupported(where + ".function.arguments", "tool call arguments must be a JSON object for the Messages API");
    }

    private static void tools(JsonGenerator g, ToolSpec spec) throws IOException {
        if (spec.tools().isEmpty() && spec.choice().isEmpty() && spec.parallelToolCalls().isEmpty()) {
            return;
        }
        if (spec.legacy()) {
            throw new Unsupported("functions", "use 'tools' rather than the legacy 'functions' with a Messages API backend");
        }
        if (!spec.tools().isEmpty()) {
            g.writeArrayFieldStart("tools");
            for (int i = 0; i < spec.tools().size(); i++) {
                tool(g, spec.tools().get(i), "tools[" + i + "]");
            }
            g.writeEndArray();
        }
        boolean serial = spec.parallelToolCalls().isPresent() && !spec.parallelToolCalls().get();
        if (spec.choice().isEmpty() && !serial) {
            return;
        }
        ToolChoice choice = spec.choice().orElse(ToolChoice.AUTO);
        g.writeObjectFieldStart("tool_choice");
        switch (choice.mode()) {
            case "none":
                g.writeStringField("type", "none");
                break;
            case "auto":
                g.writeStringField("type", "auto");
                break;
            case "required":
                g.writeStringField("type", "any");
                break;
            case "function":
                g.writeStringField("type", "tool");
                g.writeStringField("name", choice.toolName());
                break;
            default:
                // A tool_choice already in Anthropic's terms passes as written; OpenAI's newer forms have none.
                Map<String, String> members = RawJson.isObject(choice.json()) ? RawJson.objectMembers(choice.json()) : Map.of();
                String type = RawJson.stringValue(members.get("type"));
                if (type == null || !TOOL_CHOICE_TYPES.contains(type)) {
                    throw new Unsupported("tool_choice", "this tool_choice has no Messages API form");
                }
                for (Map.Entry<String, String> member : members.entrySet()) {
                    if (!(serial && member.getKey().equals("disable_parallel_tool_use"))) {
                        g.writeFieldName(member.getKey());
                        g.writeRawValue(member.getValue());
                    }
                }
        }
        if (serial && !"none".equals(choice.mode())) {
            g.writeBooleanField("disable_parallel_tool_use", true);
        }
        g.writeEndObject();
    }

    /**
     * A function tool as {@code name}/{@code description}/{@code input_schema} (with its {@code cache_control}, and the
     * function's other members such as {@code strict}); a
     * tool of another type that is already in Anthropic's terms (it names itself at the top level, as
     * {@code web_search_20250305} or {@code bash_20250124} do) passes as written.
     */
    private static void tool(JsonGenerator g, ToolDefinition tool, String where) throws IOException {
        Map<String, String> members = RawJson.isObject(tool.json()) ? RawJson.objectMembers(tool.json()) : Map.of();
        if (!tool.type().equals("function")) {
            if (members.containsKey("name") && !members.containsKey(tool.type())) {
                g.writeRawValue(tool.json());
                return;
            }
            throw new Unsupported(where + ".type", "tools of type '" + tool.type() + "' have no Messages API form");
        }
        g.writeStartObject();
        g.writeStringField("name", tool.name());
        if (tool.description() != null) {
            g.writeStringField("description", tool.description());
        }
        g.writeFieldName("input_schema");
        g.writeRawValue(tool.parametersJson() != null ? tool.parametersJson() : "{\"type\":\"object\",\"properties\":{}}");
        // The function's other members (strict, input_examples, ...) are the tool's own in Anthropic's terms.
        String function = members.get("function");
        if (function != null && RawJson.isObject(function)) {
            for (Map.Entry<String, String> member : RawJson.objectMembers(function).entrySet()) {
                if (!Set.of("name", "description", "parameters").contains(member.getKey()) && !member.getValue().equals("null")) {
                    g.writeFieldName(member.getKey());
                    g.writeRawValue(member.getValue());
                }
            }
        }
        copyCacheControl(g, members);
        g.writeEndObject();
    }

    /** A {@code data:<media type>;base64,<data>} URL, split. */
    record DataUrl(String mediaType, String base64) {
        static DataUrl parse(String url) {
            if (!url.regionMatches(true, 0, "data:", 0, 5)) {
                return null;
            }
            int comma = url.indexOf(',');
            int marker = url.lastIndexOf(";base64", comma);
            if (comma < 0 || marker < 5 || marker + 7 != comma) {
                return null;
            }
            String mediaType = url.substring(5, marker);
            int parameters = mediaType.indexOf(';');
            return new DataUrl(parameters < 0 ? mediaType : mediaType.substring(0, parameters), url.substring(comma + 1));
        }
    }
}
