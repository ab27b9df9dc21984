package ai.meridian.adapter.out.openai;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAI chat-completions wire format: writes requests with every field the client sent (typed ones
 * from their values, pass-through ones verbatim, after the backend's parameter rules), and reads answers,
 * chunks and error bodies keeping everything the upstream said: every choice, tool calls, refusals, log
 * probabilities, usage details, finish reasons as written, and fields this gateway does not know.
 */
final class OpenAiWire {
    static final JsonFactory JSON = RawJson.FACTORY;

    private OpenAiWire() {
    }

    /** What one answer, chunk or error body says; fields stay null (or empty) when absent. */
    static final class Fields {
        String model;
        String systemFingerprint;
        String serviceTier;
        Map<String, String> extra = Map.of();
        final List<ChoiceFields> choices = new ArrayList<>(1);
        Integer promptTokens;
        Integer completionTokens;
        int cachedTokens;
        int reasoningTokens;
        Map<String, String> usageDetails = Map.of();
        String errorMessage;

        /** Chunk-level fields a relayed chunk carries on: the fingerprint, the tier and unknown ones. */
        Map<String, String> chunkExtra() {
            if (systemFingerprint == null && serviceTier == null && extra.isEmpty()) {
                return Map.of();
            }
            Map<String, String> fields = new LinkedHashMap<>();
            if (systemFingerprint != null) {
                fields.put("system_fingerprint", RawJson.quote(systemFingerprint));
            }
            if (serviceTier != null) {
                fields.put("service_tier", RawJson.quote(serviceTier));
            }
            fields.putAll(extra);
            return fields;
        }

        Optional<TokenUsage> usage() {
            if (promptTokens == null || completionTokens == null) {
                return Optional.empty();
            }
            return Optional.of(new TokenUsage(promptTokens, completionTokens, cachedTokens, reasoningTokens, usageDetails));
        }
    }

    /** One choice of an answer ({@code message}) or of a chunk ({@code delta}). */
    static final class ChoiceFields {
        int index;
        String content;
        String reasoning;
        String refusal;
        final List<ToolCallDelta> toolCalls = new ArrayList<>(0);
        ToolCallDelta functionCall;
        String logprobs;
        String finishReason;
        Map<String, String> messageExtra = Map.of();
        Map<String, String> choiceExtra = Map.of();

        boolean hasOutput() {
            return content != null || reasoning != null || refusal != null || !toolCalls.isEmpty() || functionCall != null;
        }

        /** The choice of a whole answer. */
        Choice toChoice() {
            List<ToolCall> calls = new ArrayList<>(toolCalls.size());
            for (ToolCallDelta call : toolCalls) {
                calls.add(new ToolCall(call.id(), call.type(), call.name(), call.arguments()));
            }
            ToolCall function = functionCall == null ? null : new ToolCall(null, "function", functionCall.name(), functionCall.arguments());
            return new Choice(index, content, reasoning, calls, function, refusal, logprobs, FinishReason.fromWire(finishReason),
                    messageExtra, choiceExtra);
        }

        /** The delta of a chunk, with the chunk's own fields. */
        Delta toDelta(Map<String, String> chunkExtra) {
            return new Delta(index, content, reasoning, toolCalls, functionCall, refusal, logprobs,
                    finishReason == null ? null : FinishReason.fromWire(finishReason), chunkExtra, choiceExtra, messageExtra);
        }
    }

    static void writeRequest(ByteBuf target, BackendCall call, boolean stream, OpenAiBackendConfig config) {
        GenerationParams p = call.params();
        boolean text = call.textCompletion();
        try (JsonGenerator g = JSON.createGenerator((java.io.OutputStream) new ByteBufOutputStream(target))) {
            g.writeStartObject();
            g.writeStringField("model", call.upstreamModel());
            if (text) {
                // The Completions API: the prompt as a string, or several as an array (choices come per prompt).
                List<String> prompts = call.prompts();
                if (prompts.size() == 1) {
                    g.writeStringField("prompt", prompts.get(0));
                } else {
                    g.writeArrayFieldStart("prompt");
                    for (String prompt : prompts) {
                        g.writeString(prompt);
                    }
                    g.writeEndArray();
                }
            } else {
                g.writeArrayFieldStart("messages");
                for (ChatMessage m : call.messages()) {
                    message(g, m);
                }
                g.writeEndArray();
            }
            if (stream) {
                g.writeBooleanField("stream", true);
                if (config.streamUsage()) {
                    g.writeObjectFieldStart("stream_options");
                    g.writeBooleanField("include_usage", true);
                    g.writeEndObject();
                }
            }
            if (p.temperature() != null) {
                g.writeNumberField("temperature", p.temperature());
            }
            if (p.topP() != null) {
                g.writeNumberField("top_p", p.topP());
            }
            if (p.maxTokens() != null) {
                // The Completions API knows only max_tokens.
                String field = text ? "max_tokens" : config.maxTokensField() != null ? config.maxTokensField()
                        : p.maxTokensField() != null ? p.maxTokensField() : "max_tokens";
                g.writeNumberField(field, p.maxTokens());
            }
            if (!p.stop().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String s : p.stop()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            if (p.seed() != null) {
                g.writeNumberField("seed", p.seed());
            }
            if (p.user() != null) {
                g.writeStringField("user", p.user());
            }
            if (p.presencePenalty() != null) {
                g.writeNumberField("presence_penalty", p.presencePenalty());
            }
            if (p.frequencyPenalty() != null) {
                g.writeNumberField("frequency_penalty", p.frequencyPenalty());
            }
            ResponseFormat format = p.responseFormat();
            if (format != null) {
                g.writeObjectFieldStart("response_format");
                g.writeStringField("type", format.type());
                if (format.schemaJson() != null) {
                    g.writeFieldName("json_schema");
                    g.writeRawValue(format.schemaJson());
                }
                g.writeEndObject();
            }
            if (p.n() != null) {
                g.writeNumberField("n", p.n());
            }
            if (text) {
                // The Completions API's logprobs is the number of most likely tokens to list (0: the sampled one only).
                if (Boolean.TRUE.equals(p.logprobs())) {
                    g.writeNumberField("logprobs", p.topLogprobs() == null ? 0 : p.topLogprobs());
                }
            } else {
                if (p.logprobs() != null) {
                    g.writeBooleanField("logprobs", p.logprobs());
                }
                if (p.topLogprobs() != null) {
                    g.writeNumberField("top_logprobs", p.topLogprobs());
                }
            }
            tools(g, call.tools());
            for (Map.Entry<String, String> field : config.parameters().apply(p.extra()).entrySet()) {
                g.writeFieldName(field.getKey());
                g.writeRawValue(field.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One message as the client wrote it: content as string, parts or null, and every other field. */
    private static void message(JsonGenerator g, ChatMessage m) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", m.role().wireName());
        if (m.contentNull()) {
            g.writeNullField("content");
        } else if (!m.parts().isEmpty()) {
            g.writeArrayFieldStart("content");
            for (ContentPart part : m.parts()) {
                if (part.json() != null) {
                    g.writeRawValue(part.json());
                } else {
                    g.writeStartObject();
                    g.writeStringField("type", "text");
                    g.writeStringField("text", part.text());
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
        } else {
            g.writeStringField("content", m.content());
        }
        if (m.name() != null) {
            g.writeStringField("name", m.name());
        }
        if (!m.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall call : m.toolCalls()) {
                g.writeStartObject();
                g.writeStringField("id", call.id());
                g.writeStringField("type", call.type());
                boolean custom = call.type().equals("custom");
                g.writeObjectFieldStart(custom ? "custom" : "function");
                g.writeStringField("name", call.name());
                g.writeStringField(custom ? "input" : "arguments", call.arguments());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (m.functionCall() != null) {
            g.writeObjectFieldStart("function_call");
            g.writeStringField("name", m.functionCall().name());
            g.writeStringField("arguments", m.functionCall().arguments());
            g.writeEndObject();
        }
        if (m.toolCallId() != null) {
            g.writeStringField("tool_call_id", m.toolCallId());
        }
        if (m.reasoningContent() != null) {
            g.writeStringField("reasoning_content", m.reasoningContent());
        }
        for (Map.Entry<String, String> field : m.extra().entrySet()) {
            g.writeFieldName(field.getKey());
            g.writeRawValue(field.getValue());
        }
        g.writeEndObject();
    }

    /** The tools as the client sent them: {@code tools}/{@code tool_choice}, or the legacy {@code functions}/{@code function_call}. */
    private static void tools(JsonGenerator g, ToolSpec tools) throws IOException {
        if (!tools.tools().isEmpty()) {
            g.writeArrayFieldStart(tools.legacy() ? "functions" : "tools");
            for (ToolDefinition tool : tools.tools()) {
                g.writeRawValue(tool.json());
            }
            g.writeEndArray();
        }
        if (tools.choice().isPresent()) {
            g.writeFieldName(tools.legacy() ? "function_call" : "tool_choice");
            g.writeRawValue(tools.choice().get().json());
        }
        if (tools.parallelToolCalls().isPresent()) {
            g.writeBooleanField("parallel_tool_calls", tools.parallelToolCalls().get());
        }
    }

    /** Reads an answer ({@code message}) or a stream chunk ({@code delta}); both share the outline. */
    static Fields read(byte[] bytes, int offset, int length) throws IOException {
        Fields fields = new Fields();
        try (JsonParser p = JSON.createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id":
                    case "object":
                    case "created":
                        p.skipChildren(); // the gateway answers under its own id and time
                        break;
                    case "model":
                        fields.model = textOrNull(p, value);
                        break;
                    case "system_fingerprint":
                        fields.systemFingerprint = textOrNull(p, value);
                        break;
                    case "service_tier":
                        fields.serviceTier = textOrNull(p, value);
                        break;
                    case "choices":
                        readChoices(p, value, fields);
                        break;
                    case "usage":
                        readUsage(p, value, fields);
                        break;
                    case "error":
                        fields.errorMessage = readError(p, value);
                        break;
                    case "message":
                    case "detail":
                        // vLLM and FastAPI error bodies: {"object":"error","message":...} / {"detail":...}
                        if (value == JsonToken.VALUE_STRING && fields.errorMessage == null) {
                            fields.errorMessage = p.getText();
                        } else {
                            p.skipChildren();
                        }
                        break;
                    default:
                        if (value != JsonToken.VALUE_NULL) {
                            fields.extra = put(fields.extra, name, RawJson.read(p));
                        }
                }
            }
        }
        return fields;
    }

    private static Map<String, String> put(Map<String, String> map, String name, String json) {
        Map<String, String> target = map.isEmpty() ? new LinkedHashMap<>() : map;
        target.put(name, json);
        return target;
    }

    private static void readChoices(JsonParser p, JsonToken value, Fields fields) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            ChoiceFields choice = new ChoiceFields();
            choice.index = fields.choices.size();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "index":
                        if (v == JsonToken.VALUE_NUMBER_INT && p.getIntValue() >= 0) {
                            choice.index = p.getIntValue();
                        }
                        break;
                    case "delta":
                    case "message":
                        readMessage(p, v, choice);
                        break;
                    case "finish_reason":
                        choice.finishReason = textOrNull(p, v);
                        break;
                    case "text":
                        // A Completions API choice (whole or streamed): the continuation of the prompt.
                        if (v == JsonToken.VALUE_STRING) {
                            choice.content = p.getText();
                        } else if (v != JsonToken.VALUE_NULL) {
                            choice.choiceExtra = put(choice.choiceExtra, name, RawJson.read(p));
                        }
                        break;
                    case "logprobs":
                        choice.logprobs = v == JsonToken.VALUE_NULL ? null : RawJson.read(p);
                        break;
                    default:
                        if (v != JsonToken.VALUE_NULL) {
                            choice.choiceExtra = put(choice.choiceExtra, name, RawJson.read(p));
                        }
                }
            }
            fields.choices.add(choice);
        }
    }

    private static void readMessage(JsonParser p, JsonToken value, ChoiceFields choice) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken fv = p.nextToken();
            switch (field) {
                case "role":
                    p.skipChildren();
                    break;
                case "content":
                    choice.content = textOrNull(p, fv);
                    break;
                case "reasoning_content":
                case "reasoning":
                    String reasoning = textOrNull(p, fv);
                    if (reasoning != null) {
                        choice.reasoning = reasoning;
                    }
                    break;
                case "refusal":
                    choice.refusal = textOrNull(p, fv);
                    break;
                case "tool_calls":
                    readToolCalls(p, fv, choice);
                    break;
                case "function_call":
                    choice.functionCall = fv == JsonToken.START_OBJECT ? readCall(p, 0) : skipped(p);
                    break;
                default:
                    if (fv != JsonToken.VALUE_NULL) {
                        choice.messageExtra = put(choice.messageExtra, field, RawJson.read(p));
                    }
            }
        }
    }

    private static ToolCallDelta skipped(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static void readToolCalls(JsonParser p, JsonToken value, ChoiceFields choice) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            choice.toolCalls.add(readCall(p, choice.toolCalls.size()));
        }
    }

    /**
     * A tool call of a message or a fragment of one in a delta: {@code index} (its position when absent),
     * {@code id}, {@code type}, and {@code function} (or {@code custom}) with the name and the arguments.
     */
    private static ToolCallDelta readCall(JsonParser p, int position) throws IOException {
        int index = position;
        String id = null;
        String type = null;
        String name = null;
        String arguments = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "index":
                    if (v == JsonToken.VALUE_NUMBER_INT && p.getIntValue() >= 0) {
                        index = p.getIntValue();
                    }
                    break;
                case "id":
                    id = textOrNull(p, v);
                    break;
                case "type":
                    type = textOrNull(p, v);
                    break;
                case "name":
                    name = textOrNull(p, v);
                    break;
                case "arguments":
                case "input":
                    arguments = textOrNull(p, v);
                    break;
                case "function":
                case "custom":
                    if (v != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        break;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String inner = p.currentName();
                        JsonToken iv = p.nextToken();
                        if (inner.equals("name")) {
                            name = textOrNull(p, iv);
                        } else if (inner.equals("arguments") || inner.equals("input")) {
                            arguments = textOrNull(p, iv);
                        } else {
                            p.skipChildren();
                        }
                    }
                    if (type == null && field.equals("custom")) {
                        type = "custom";
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        return new ToolCallDelta(index, id, type, name, arguments);
    }

    private static void readUsage(JsonParser p, JsonToken value, Fields fields) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        Map<String, String> details = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("prompt_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                fields.promptTokens = p.getIntValue();
            } else if (name.equals("completion_tokens") && v == JsonToken.VALUE_NUMBER_INT) {
                fields.completionTokens = p.getIntValue();
            } else if (name.equals("total_tokens")) {
                p.skipChildren(); // derived from the two above
            } else if (v != JsonToken.VALUE_NULL) {
                String json = RawJson.read(p);
                details.put(name, json);
                if (name.equals("prompt_tokens_details")) {
                    fields.cachedTokens = member(json, "cached_tokens");
                } else if (name.equals("completion_tokens_details")) {
                    fields.reasoningTokens = member(json, "reasoning_tokens");
                } else if (name.equals("prompt_cache_hit_tokens") && fields.cachedTokens == 0) {
                    Long hit = RawJson.longValue(json); // DeepSeek's name for cached prompt tokens
                    fields.cachedTokens = hit == null ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, hit));
                }
            }
        }
        fields.usageDetails = details;
    }

    /** An integer member of a usage-details object, 0 when absent or not an integer. */
    private static int member(String objectJson, String name) {
        if (!RawJson.isObject(objectJson)) {
            return 0;
        }
        Long value = RawJson.longValue(RawJson.objectMembers(objectJson).get(name));
        return value == null ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, value));
    }

    private static String readError(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("message") && v == JsonToken.VALUE_STRING) {
                message = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return message == null ? "upstream error" : message;
    }

    private static String textOrNull(JsonParser p, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }
}
