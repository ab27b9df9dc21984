package ai.meridian.adapter.in.completions;

import static ai.meridian.support.json.JsonOutput.bytes;
import static ai.meridian.support.json.JsonOutput.string;

import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.retrieval.Citation;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The legacy Completions API's shapes: a {@code text_completion} answer with {@code choices[].text}, the stream's
 * chunks (the same object, one piece of text each, a finish chunk per choice, the usage chunk a client may ask for),
 * and the error event that ends a failed stream. Log probabilities go out as the upstream wrote them.
 */
final class CompletionsJsonWriter {
    private CompletionsJsonWriter() {
    }

    /** The core's completion ids ({@code chatcmpl-…}) as the Completions API spells them ({@code cmpl-…}). */
    static String id(String completionId) {
        return completionId.startsWith("chatcmpl-") ? "cmpl-" + completionId.substring(9) : completionId;
    }

    static byte[] completion(ChatReply reply) {
        return bytes(g -> {
            Completion c = reply.completion();
            g.writeStartObject();
            g.writeStringField("id", id(reply.id()));
            g.writeStringField("object", "text_completion");
            g.writeNumberField("created", reply.created());
            g.writeStringField("model", reply.model());
            g.writeArrayFieldStart("choices");
            for (Choice choice : c.choices()) {
                g.writeStartObject();
                g.writeStringField("text", choice.text());
                g.writeNumberField("index", choice.index());
                raw(g, "logprobs", choice.logprobs());
                g.writeStringField("finish_reason", choice.finishReason().wireName());
                if (!choice.reasoningContent().isEmpty()) {
                    g.writeStringField("reasoning_content", choice.reasoningContent());
                }
                raw(g, choice.choiceExtra());
                g.writeEndObject();
            }
            g.writeEndArray();
            usage(g, reply.usage());
            if (c.systemFingerprint() != null) {
                g.writeStringField("system_fingerprint", c.systemFingerprint());
            }
            raw(g, c.extra());
            extras(g, reply.citations(), reply.notices());
            g.writeEndObject();
        });
    }

    /** A chunk with one piece of one choice's text; the first chunk of the stream carries the sources. */
    static String chunk(StreamStart start, Delta delta, boolean firstOfStream) {
        return string(g -> {
            head(g, start, delta.chunkExtra());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeStringField("text", delta.content());
            g.writeNumberField("index", delta.choice());
            raw(g, "logprobs", delta.logprobs());
            g.writeNullField("finish_reason");
            if (!delta.reasoningContent().isEmpty()) {
                g.writeStringField("reasoning_content", delta.reasoningContent());
            }
            raw(g, delta.choiceExtra());
            g.writeEndObject();
            g.writeEndArray();
            if (firstOfStream) {
                extras(g, start.citations(), start.notices());
            }
            g.writeEndObject();
        });
    }

    /** The chunk that ends one choice. */
    static String finish(StreamStart start, int choice, FinishReason reason, boolean firstOfStream) {
        return string(g -> {
            head(g, start, Map.of());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeStringField("text", "");
            g.writeNumberField("index", choice);
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", reason.wireName());
            g.writeEndObject();
            g.writeEndArray();
            if (firstOfStream) {
                extras(g, start.citations(), start.notices());
            }
            g.writeEndObject();
        });
    }

    /** The last chunk {@code stream_options.include_usage} asks for: no choices, the usage. */
    static String usageChunk(StreamStart start, TokenUsage usage) {
        return string(g -> {
            head(g, start, Map.of());
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    static String errorEvent(GatewayError error) {
        return string(g -> {
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
        });
    }

    private static void head(JsonGenerator g, StreamStart start, Map<String, String> chunkExtra) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id(start.id()));
        g.writeStringField("object", "text_completion");
        g.writeNumberField("created", start.created());
        g.writeStringField("model", start.model());
        raw(g, chunkExtra);
    }

    private static void usage(JsonGenerator g, TokenUsage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        raw(g, usage.details());
        g.writeEndObject();
    }

    private static void raw(JsonGenerator g, String field, String json) throws IOException {
        g.writeFieldName(field);
        if (json == null) {
            g.writeNull();
        } else {
            g.writeRawValue(json);
        }
    }

    private static void raw(JsonGenerator g, Map<String, String> fields) throws IOException {
        for (Map.Entry<String, String> field : fields.entrySet()) {
            g.writeFieldName(field.getKey());
            g.writeRawValue(field.getValue());
        }
    }

    /** Meridian's additions, as on chat answers: Perplexity-style sources and notices about degraded service. */
    private static void extras(JsonGenerator g, List<Citation> citations, List<String> notices) throws IOException {
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
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (!notices.isEmpty()) {
            g.writeArrayFieldStart("notices");
            for (String notice : notices) {
                g.writeString(notice);
            }
            g.writeEndArray();
        }
    }
}
