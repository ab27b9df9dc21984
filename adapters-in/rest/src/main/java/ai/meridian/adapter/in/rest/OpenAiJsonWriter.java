package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ListModelsUseCase.ModelInfo;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.retrieval.Citation;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Writes OpenAI's response shapes byte for byte as the official SDKs parse them: completions, stream
 * chunks, model lists and errors. Written with a streaming generator, no object mapping on the hot path.
 */
final class OpenAiJsonWriter {
    private OpenAiJsonWriter() {
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String string(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static byte[] completion(ChatReply reply) {
        return bytes(g -> {
            Completion c = reply.completion();
            g.writeStartObject();
            g.writeStringField("id", reply.id());
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", reply.created());
            g.writeStringField("model", reply.model());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", c.content());
            if (!c.reasoningContent().isEmpty()) {
                g.writeStringField("reasoning_content", c.reasoningContent());
            }
            g.writeNullField("refusal");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", c.finishReason().wireName());
            g.writeEndObject();
            g.writeEndArray();
            usage(g, reply.usage());
            g.writeNullField("system_fingerprint");
            extras(g, reply.citations(), reply.conversationId(), reply.notices());
            g.writeEndObject();
        });
    }

    /**
     * What Meridian adds to OpenAI's shape, only when there is something to say: Perplexity-style
     * {@code citations} (URLs, numbered as the answer cites them) and {@code search_results}, the
     * {@code conversation_id}, and {@code notices} about degraded service. Clients ignore unknown fields.
     */
    private static void extras(JsonGenerator g, List<Citation> citations, Optional<String> conversationId, List<String> notices)
            throws IOException {
        if (!citations.isEmpty()) {
            g.writeArrayFieldStart("citations");
            for (Citation c : citations) {
                g.writeString(c.url());
            }
            g.writeEndArray();
            g.writeArrayFieldStart("search_results");
            for (Citation c : citations) {
                g.writeStartObject();
                g.writeStringField("title", c.title());
                g.writeStringField("url", c.url());
                g.writeStringField("date", c.date());
                g.writeStringField("snippet", c.snippet());
                g.writeStringField("source", c.source());
                if (c.score() != null) {
                    g.writeNumberField("score", c.score());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (conversationId.isPresent()) {
            g.writeStringField("conversation_id", conversationId.get());
        }
        if (!notices.isEmpty()) {
            g.writeArrayFieldStart("notices");
            for (String notice : notices) {
                g.writeString(notice);
            }
            g.writeEndArray();
        }
    }

    private static void usage(JsonGenerator g, TokenUsage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeEndObject();
    }

    private static void chunkHead(JsonGenerator g, StreamStart start) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", start.id());
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", start.created());
        g.writeStringField("model", start.model());
        g.writeNullField("system_fingerprint");
    }

    /** A content chunk; the first of a stream also carries the assistant role and the sources. */
    static String deltaChunk(StreamStart start, Delta delta, boolean first) {
        return choiceChunk(start, g -> {
            if (first) {
                g.writeStringField("role", "assistant");
            }
            if (!delta.reasoningContent().isEmpty()) {
                g.writeStringField("reasoning_content", delta.reasoningContent());
            }
            g.writeStringField("content", delta.content());
        }, null, first);
    }

    static String finishChunk(StreamStart start, FinishReason reason) {
        return choiceChunk(start, g -> { }, reason, false);
    }

    private static String choiceChunk(StreamStart start, Body delta, FinishReason finish, boolean first) {
        return string(g -> {
            chunkHead(g, start);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            g.writeNullField("logprobs");
            if (finish == null) {
                g.writeNullField("finish_reason");
            } else {
                g.writeStringField("finish_reason", finish.wireName());
            }
            g.writeEndObject();
            g.writeEndArray();
            if (first) {
                extras(g, start.citations(), start.conversationId(), start.notices());
            }
            g.writeEndObject();
        });
    }

    /** The extra chunk {@code stream_options.include_usage} asks for: no choices, the usage. */
    static String usageChunk(StreamStart start, TokenUsage usage) {
        return string(g -> {
            chunkHead(g, start);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    static byte[] error(GatewayError error) {
        return bytes(g -> writeError(g, error));
    }

    static String errorEvent(GatewayError error) {
        return string(g -> writeError(g, error));
    }

    private static void writeError(JsonGenerator g, GatewayError error) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("error");
        g.writeStringField("message", error.message());
        g.writeStringField("type", error.kind().type());
        if (error.param() == null) {
            g.writeNullField("param");
        } else {
            g.writeStringField("param", error.param());
        }
        if (error.code() == null) {
            g.writeNullField("code");
        } else {
            g.writeStringField("code", error.code());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    static byte[] models(List<ModelInfo> models) {
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

    static byte[] model(ModelInfo model) {
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
        g.writeEndObject();
    }
}
