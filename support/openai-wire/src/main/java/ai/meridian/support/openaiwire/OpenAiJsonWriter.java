package ai.meridian.support.openaiwire;

import static ai.meridian.support.inboundhttp.AnswerJson.extras;
import static ai.meridian.support.inboundhttp.AnswerJson.raw;
import static ai.meridian.support.inboundhttp.AnswerJson.rawOrNull;
import static ai.meridian.support.inboundhttp.AnswerJson.usage;
import static ai.meridian.support.inboundhttp.AnswerJson.usageFields;
import static ai.meridian.support.json.JsonOutput.bytes;
import static ai.meridian.support.json.JsonOutput.string;

import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ListModelsUseCase.ModelInfo;
import ai.meridian.application.port.in.MidStreamSwitch;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.support.inboundhttp.ErrorResponses;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Writes OpenAI's response shapes byte for byte as the official SDKs parse them: completions, stream
 * chunks, model lists and errors. Written with a streaming generator, no object mapping on the hot path.
 */
public final class OpenAiJsonWriter {
    private OpenAiJsonWriter() {
    }

    public static byte[] completion(ChatReply reply) {
        return bytes(g -> {
            Completion c = reply.completion();
            g.writeStartObject();
            g.writeStringField("id", reply.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", reply.created());
            g.writeStringField("model", reply.model());
            g.writeArrayFieldStart("choices");
            for (Choice choice : c.choices()) {
                choice(g, choice);
            }
            g.writeEndArray();
            usage(g, reply.usage());
            nullableString(g, "system_fingerprint", c.systemFingerprint());
            if (c.serviceTier() != null) {
                g.writeStringField("service_tier", c.serviceTier());
            }
            raw(g, c.extra());
            extras(g, reply.citations(), reply.conversationId(), reply.notices());
            g.writeEndObject();
        });
    }

    /** One choice of a whole answer, with everything the backend said about it. */
    private static void choice(JsonGenerator g, Choice choice) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", choice.index());
        g.writeObjectFieldStart("message");
        g.writeStringField("role", "assistant");
        nullableString(g, "content", choice.content());
        if (!choice.reasoningContent().isEmpty()) {
            g.writeStringField("reasoning_content", choice.reasoningContent());
        }
        if (!choice.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall call : choice.toolCalls()) {
                toolCall(g, call);
            }
            g.writeEndArray();
        }
        if (choice.functionCall() != null) {
            g.writeObjectFieldStart("function_call");
            g.writeStringField("name", choice.functionCall().name());
            g.writeStringField("arguments", choice.functionCall().arguments());
            g.writeEndObject();
        }
        nullableString(g, "refusal", choice.refusal());
        raw(g, choice.messageExtra());
        g.writeEndObject();
        rawOrNull(g, "logprobs", choice.logprobs());
        g.writeStringField("finish_reason", choice.finishReason().wireName());
        raw(g, choice.choiceExtra());
        g.writeEndObject();
    }

    /**
     * The fields of a message as a client wrote it (a stored turn read back): content as a string, parts or
     * null, then the participant name, tool calls, the legacy function call, the tool-call id, reasoning and
     * pass-through fields. The role is the caller's to write.
     */
    public static void messageFields(JsonGenerator g, ChatMessage m) throws IOException {
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
                toolCall(g, call);
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
        raw(g, m.extra());
    }

    private static void toolCall(JsonGenerator g, ToolCall call) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", call.id());
        g.writeStringField("type", call.type());
        if (call.type().equals("custom")) {
            g.writeObjectFieldStart("custom");
            g.writeStringField("name", call.name());
            g.writeStringField("input", call.arguments());
        } else {
            g.writeObjectFieldStart("function");
            g.writeStringField("name", call.name());
            g.writeStringField("arguments", call.arguments());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void nullableString(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }

    /** Usage as OpenAI writes it, as a JSON object of its own. */
    public static String usageObject(TokenUsage usage) {
        return string(g -> {
            g.writeStartObject();
            usageFields(g, usage);
            g.writeEndObject();
        });
    }

    /**
     * The head every chunk carries; the backend's {@code system_fingerprint} and other chunk-level fields
     * ({@code service_tier}, ...) as it sent them on the chunk this one relays.
     */
    private static void chunkHead(JsonGenerator g, StreamStart start, Map<String, String> chunkExtra) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", start.id());
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", start.created());
        g.writeStringField("model", start.model());
        String fingerprint = chunkExtra.get("system_fingerprint");
        g.writeFieldName("system_fingerprint");
        if (fingerprint == null) {
            g.writeNull();
        } else {
            g.writeRawValue(fingerprint);
        }
        for (Map.Entry<String, String> field : chunkExtra.entrySet()) {
            if (!field.getKey().equals("system_fingerprint")) {
                g.writeFieldName(field.getKey());
                g.writeRawValue(field.getValue());
            }
        }
    }

    /**
     * A chunk relaying one delta of one choice. The first chunk of a choice also carries the assistant role;
     * the first chunk of the stream carries the sources. Tool-call fragments go out as OpenAI streams them.
     */
    public static String deltaChunk(StreamStart start, Delta delta, boolean firstOfChoice, boolean firstOfStream) {
        return string(g -> {
            chunkHead(g, start, delta.chunkExtra());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", delta.choice());
            g.writeObjectFieldStart("delta");
            if (firstOfChoice) {
                g.writeStringField("role", "assistant");
            }
            if (!delta.reasoningContent().isEmpty()) {
                g.writeStringField("reasoning_content", delta.reasoningContent());
            }
            if (!delta.content().isEmpty()) {
                g.writeStringField("content", delta.content());
            } else if (!delta.toolCalls().isEmpty() || delta.functionCall() != null) {
                g.writeNullField("content");
            } else {
                g.writeStringField("content", "");
            }
            if (!delta.toolCalls().isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (ToolCallDelta fragment : delta.toolCalls()) {
                    toolCallFragment(g, fragment);
                }
                g.writeEndArray();
            }
            if (delta.functionCall() != null) {
                g.writeObjectFieldStart("function_call");
                if (delta.functionCall().name() != null) {
                    g.writeStringField("name", delta.functionCall().name());
                }
                g.writeStringField("arguments", delta.functionCall().arguments() == null ? "" : delta.functionCall().arguments());
                g.writeEndObject();
            }
            if (delta.refusal() != null) {
                g.writeStringField("refusal", delta.refusal());
            }
            raw(g, delta.deltaExtra());
            g.writeEndObject();
            rawOrNull(g, "logprobs", delta.logprobs());
            g.writeNullField("finish_reason");
            raw(g, delta.choiceExtra());
            g.writeEndObject();
            g.writeEndArray();
            if (firstOfStream) {
                extras(g, start.citations(), start.conversationId(), start.notices());
            }
            g.writeEndObject();
        });
    }

    private static void toolCallFragment(JsonGenerator g, ToolCallDelta fragment) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", fragment.index());
        if (fragment.id() != null) {
            g.writeStringField("id", fragment.id());
        }
        if (fragment.type() != null) {
            g.writeStringField("type", fragment.type());
        }
        boolean custom = "custom".equals(fragment.type());
        g.writeObjectFieldStart(custom ? "custom" : "function");
        if (fragment.name() != null) {
            g.writeStringField("name", fragment.name());
        }
        if (fragment.arguments() != null) {
            g.writeStringField(custom ? "input" : "arguments", fragment.arguments());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    /**
     * The chunk that ends one choice, with its finish reason and the chunk-level fields the backend sent last;
     * the first of a stream also carries the sources.
     */
    public static String finishChunk(StreamStart start, Map<String, String> chunkExtra, int choice, FinishReason reason, boolean firstOfStream) {
        return finishChunk(start, chunkExtra, choice, reason, firstOfStream, List.of());
    }

    /**
     * The chunk that ends one choice; with {@code switches}, it also carries {@code mid_stream_fallback}: the backends
     * that continued the answer after another failed mid-stream (clients ignore unknown fields).
     */
    public static String finishChunk(StreamStart start, Map<String, String> chunkExtra, int choice, FinishReason reason, boolean firstOfStream,
                              List<MidStreamSwitch> switches) {
        return string(g -> {
            chunkHead(g, start, chunkExtra);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", choice);
            g.writeObjectFieldStart("delta");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", reason.wireName());
            g.writeEndObject();
            g.writeEndArray();
            if (firstOfStream) {
                extras(g, start.citations(), start.conversationId(), start.notices());
            }
            if (!switches.isEmpty()) {
                midStreamFallback(g, switches);
            }
            g.writeEndObject();
        });
    }

    /** {@code mid_stream_fallback}: each backend switch after the client had begun to receive the answer. */
    public static void midStreamFallback(JsonGenerator g, List<MidStreamSwitch> switches) throws IOException {
        g.writeArrayFieldStart("mid_stream_fallback");
        for (MidStreamSwitch s : switches) {
            g.writeStartObject();
            g.writeStringField("from_backend", s.fromBackend());
            g.writeStringField("to_backend", s.toBackend());
            g.writeNumberField("tier", s.tier());
            g.writeNumberField("after_chars", s.afterChars());
            g.writeStringField("reason", s.reason());
            g.writeStringField("continuation", s.style());
            g.writeNumberField("dropped_tool_call_pieces", s.droppedToolCallPieces());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The value of the {@code x-meridian-mid-stream-fallback} trailer: each switch as {@code from>to}, comma-separated. */
    public static String midStreamFallbackTrailer(List<MidStreamSwitch> switches) {
        StringBuilder value = new StringBuilder();
        for (MidStreamSwitch s : switches) {
            if (value.length() > 0) {
                value.append(", ");
            }
            value.append(s.fromBackend()).append('>').append(s.toBackend()).append(";tier=").append(s.tier())
                    .append(";after_chars=").append(s.afterChars()).append(";reason=").append(s.reason());
        }
        return value.toString();
    }

    /** The extra chunk {@code stream_options.include_usage} asks for: no choices, the usage. */
    public static String usageChunk(StreamStart start, Map<String, String> chunkExtra, TokenUsage usage) {
        return string(g -> {
            chunkHead(g, start, chunkExtra);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    public static byte[] error(GatewayError error) {
        return ErrorResponses.openAiBody(error);
    }

    /** The error object OpenAI's error shape wraps ({@code message}, {@code type}, {@code param}, {@code code}). */
    public static String errorObject(GatewayError error) {
        String whole = errorEvent(error);
        return whole.substring("{\"error\":".length(), whole.length() - 1);
    }

    public static String errorEvent(GatewayError error) {
        return ErrorResponses.openAiEvent(error);
    }

    public static byte[] models(List<ModelInfo> models) {
        return bytes(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (ModelInfo model : models) {
                model(g, model);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    public static byte[] model(ModelInfo model) {
        return bytes(g -> model(g, model));
    }

    private static void model(JsonGenerator g, ModelInfo model) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", model.id());
        g.writeStringField("object", "model");
        g.writeNumberField("created", model.created());
        g.writeStringField("owned_by", model.ownedBy());
        if (model.aliasOf() != null) {
            g.writeStringField("alias_of", model.aliasOf());
        }
        if (!model.capabilities().isEmpty()) {
            g.writeObjectFieldStart("capabilities");
            for (Map.Entry<String, Object> capability : model.capabilities().entrySet()) {
                if (capability.getValue() instanceof Boolean flag) {
                    g.writeBooleanField(capability.getKey(), flag);
                } else if (capability.getValue() instanceof Number number) {
                    g.writeNumberField(capability.getKey(), number.longValue());
                } else {
                    g.writeStringField(capability.getKey(), String.valueOf(capability.getValue()));
                }
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }
}
