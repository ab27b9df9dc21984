package ai.meridian.adapter.out.anthropic;

import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the Messages API's answers: a whole {@code message}, the named events of a stream, and error bodies.
 * Anthropic's content blocks become the domain's choice: text joined, thinking as reasoning (with each block,
 * signature included, kept raw under {@code thinking_blocks} so a tool loop can send it back), {@code tool_use}
 * blocks as tool calls; {@code stop_reason} becomes a finish reason ({@code end_turn} and {@code stop_sequence}
 * stop, {@code max_tokens} is {@code length}, {@code tool_use} is {@code tool_calls}, others keep their name), the
 * matched stop sequence goes under {@code stop_reason} as vLLM reports it; usage counts cached prompt tokens in
 * the prompt, as OpenAI's does, and keeps Anthropic's cache fields as written.
 */
final class AnthropicWire {
    static final JsonFactory JSON = RawJson.FACTORY;
    static final String THINKING_BLOCKS = AnthropicRequestWriter.THINKING_BLOCKS;
    /** Content blocks the domain has no value for (server tool use and results, ...), kept raw under this message field. */
    static final String OTHER_CONTENT = "other_content";

    private AnthropicWire() {
    }

    /** Anthropic's stop reason as a domain finish reason. */
    static FinishReason finishReason(String stopReason) {
        if (stopReason == null) {
            return FinishReason.STOP;
        }
        switch (stopReason) {
            case "end_turn":
            case "stop_sequence":
                return FinishReason.STOP;
            case "max_tokens":
                return FinishReason.LENGTH;
            case "tool_use":
                return FinishReason.TOOL_CALLS;
            case "refusal":
                return FinishReason.CONTENT_FILTER;
            default:
                return FinishReason.fromWire(stopReason); // pause_turn, model_context_window_exceeded, ...
        }
    }

    /** Usage as the domain counts it: prompt tokens include those read from or written to the cache. */
    static final class Usage {
        Integer input;
        Integer output;
        Integer cacheRead;
        Integer cacheCreation;
        final Map<String, String> other = new LinkedHashMap<>();

        void read(JsonParser p) throws IOException {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "input_tokens":
                        input = intOrNull(p, value);
                        break;
                    case "output_tokens":
                        output = intOrNull(p, value);
                        break;
                    case "cache_read_input_tokens":
                        cacheRead = intOrNull(p, value);
                        break;
                    case "cache_creation_input_tokens":
                        cacheCreation = intOrNull(p, value);
                        break;
                    default:
                        String raw = RawJson.read(p);
                        if (!raw.equals("null")) {
                            other.put(name, raw);
                        }
                }
            }
        }

        Optional<TokenUsage> toUsage() {
            if (input == null && output == null) {
                return Optional.empty();
            }
            int read = cacheRead == null ? 0 : cacheRead;
            int created = cacheCreation == null ? 0 : cacheCreation;
            Map<String, String> details = new LinkedHashMap<>();
            if (cacheCreation != null) {
                details.put("cache_creation_input_tokens", String.valueOf(created));
            }
            if (cacheRead != null) {
                details.put("cache_read_input_tokens", String.valueOf(read));
            }
            details.putAll(other);
            return Optional.of(new TokenUsage((input == null ? 0 : input) + read + created, output == null ? 0 : output, read, 0, details));
        }

        private static Integer intOrNull(JsonParser p, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                return Math.max(0, p.getIntValue());
            }
            p.skipChildren();
            return null;
        }
    }

    /** A whole {@code message} answer. */
    static final class Message {
        String id;
        String model;
        String stopReason;
        String stopSequence;
        final StringBuilder text = new StringBuilder();
        boolean anyText;
        final StringBuilder thinking = new StringBuilder();
        final List<String> thinkingBlocks = new ArrayList<>(0);
        final List<String> citations = new ArrayList<>(0);
        final List<String> otherBlocks = new ArrayList<>(0);
        final List<ToolCall> toolCalls = new ArrayList<>(0);
        final Usage usage = new Usage();
        final Map<String, String> extra = new LinkedHashMap<>();
        String errorType;
        String errorMessage;

        Choice toChoice() {
            Map<String, String> messageExtra = new LinkedHashMap<>();
            if (!thinkingBlocks.isEmpty()) {
                messageExtra.put(THINKING_BLOCKS, "[" + String.join(",", thinkingBlocks) + "]");
            }
            if (!citations.isEmpty()) {
                messageExtra.put("citations", "[" + String.join(",", citations) + "]");
            }
            if (!otherBlocks.isEmpty()) {
                messageExtra.put(OTHER_CONTENT, "[" + String.join(",", otherBlocks) + "]");
            }
            Map<String, String> choiceExtra = stopSequence == null ? Map.of() : Map.of("stop_reason", RawJson.quote(stopSequence));
            String content = !anyText && !toolCalls.isEmpty() ? null : text.toString();
            return new Choice(0, content, thinking.toString(), toolCalls, null, null, null, finishReason(stopReason), messageExtra, choiceExtra);
        }
    }

    static Message readMessage(byte[] body, int length) throws IOException {
        Message message = new Message();
        try (JsonParser p = JSON.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id":
                        message.id = text(p, value);
                        break;
                    case "model":
                        message.model = text(p, value);
                        break;
                    case "stop_reason":
                        message.stopReason = text(p, value);
                        break;
                    case "stop_sequence":
                        message.stopSequence = text(p, value);
                        break;
                    case "usage":
                        if (value == JsonToken.START_OBJECT) {
                            message.usage.read(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "content":
                        if (value != JsonToken.START_ARRAY) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            block(message, RawJson.readObject(p));
                        }
                        break;
                    case "error":
                        if (value == JsonToken.START_OBJECT) {
                            Map<String, String> error = RawJson.readObject(p);
                            message.errorType = RawJson.stringValue(error.get("type"));
                            message.errorMessage = RawJson.stringValue(error.get("message"));
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "type":
                    case "role":
                        p.skipChildren();
                        break;
                    default:
                        String raw = RawJson.read(p);
                        if (!raw.equals("null")) {
                            message.extra.put(name, raw);
                        }
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IOException("trailing content after the JSON object");
            }
        }
        return message;
    }

    /** One content block of a whole answer, given as its members. */
    private static void block(Message message, Map<String, String> block) {
        String type = RawJson.stringValue(block.get("type"));
        if (type == null) {
            type = "";
        }
        switch (type) {
            case "text":
                String text = RawJson.stringValue(block.get("text"));
                message.text.append(text == null ? "" : text);
                message.anyText = true;
                String citations = block.get("citations");
                if (citations != null && citations.startsWith("[") && citations.length() > 2) {
                    message.citations.add(citations.substring(1, citations.length() - 1));
                }
                break;
            case "thinking":
                String thinking = RawJson.stringValue(block.get("thinking"));
                message.thinking.append(thinking == null ? "" : thinking);
                message.thinkingBlocks.add(rawObject(block));
                break;
            case "redacted_thinking":
                message.thinkingBlocks.add(rawObject(block));
                break;
            case "tool_use":
                String input = block.getOrDefault("input", "{}");
                message.toolCalls.add(ToolCall.function(RawJson.stringValue(block.get("id")), RawJson.stringValue(block.get("name")), input));
                break;
            default:
                message.otherBlocks.add(rawObject(block));
        }
    }

    static String rawObject(Map<String, String> members) {
        StringBuilder json = new StringBuilder(64).append('{');
        for (Map.Entry<String, String> member : members.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append(RawJson.quote(member.getKey())).append(':').append(member.getValue());
        }
        return json.append('}').toString();
    }

    private static String text(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    /** One event of a stream, as much of it as the adapter reads. */
    static final class Event {
        String type = "";
        int index = -1;
        /** message_start: the message's model and usage. */
        String model;
        final Usage usage = new Usage();
        /** content_block_start: the block's members. */
        Map<String, String> contentBlock;
        /** content_block_delta: the delta's type and its one payload (text, thinking, partial_json, signature; a citation raw). */
        String deltaType = "";
        String deltaText;
        String deltaRaw;
        /** message_delta. */
        String stopReason;
        String stopSequence;
        /** message_delta: why a refusal stopped the answer (API version 2026-10-21), raw. */
        String stopDetails;
        /** error. */
        String errorType;
        String errorMessage;
    }

    static Event readEvent(byte[] data, int length) throws IOException {
        Event event = new Event();
        try (JsonParser p = JSON.createParser(data, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "type":
                        event.type = value == JsonToken.VALUE_STRING ? p.getText() : "";
                        break;
                    case "index":
                        event.index = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                        break;
                    case "message":
                        if (value == JsonToken.START_OBJECT) {
                            startMessage(p, event);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "content_block":
                        if (value == JsonToken.START_OBJECT) {
                            event.contentBlock = RawJson.readObject(p);
                        } else {
                            event.contentBlock = Map.of();
                            p.skipChildren();
                        }
                        break;
                    case "delta":
                        if (value == JsonToken.START_OBJECT) {
                            delta(p, event);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "usage":
                        if (value == JsonToken.START_OBJECT) {
                            event.usage.read(p);
                        } else {
                            p.skipChildren();
                        }
                        break;
                    case "error":
                        if (value == JsonToken.START_OBJECT) {
                            Map<String, String> error = RawJson.readObject(p);
                            event.errorType = RawJson.stringValue(error.get("type"));
                            event.errorMessage = RawJson.stringValue(error.get("message"));
                        } else {
                            p.skipChildren();
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
        }
        return event;
    }

    private static void startMessage(JsonParser p, Event event) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (name.equals("model")) {
                event.model = text(p, value);
            } else if (name.equals("usage") && value == JsonToken.START_OBJECT) {
                event.usage.read(p);
            } else {
                p.skipChildren();
            }
        }
    }

    private static void delta(JsonParser p, Event event) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "type":
                    event.deltaType = value == JsonToken.VALUE_STRING ? p.getText() : "";
                    break;
                case "text":
                case "thinking":
                case "partial_json":
                case "signature":
                    event.deltaText = text(p, value);
                    break;
                case "citation":
                    event.deltaRaw = RawJson.read(p);
                    break;
                case "stop_reason":
                    event.stopReason = text(p, value);
                    break;
                case "stop_sequence":
                    event.stopSequence = text(p, value);
                    break;
                case "stop_details":
                    String raw = RawJson.read(p);
                    event.stopDetails = raw.equals("null") ? null : raw;
                    break;
                default:
                    p.skipChildren();
            }
        }
    }
}
