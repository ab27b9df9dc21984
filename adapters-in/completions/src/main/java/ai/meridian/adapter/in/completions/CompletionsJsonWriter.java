package ai.meridian.adapter.in.completions;

import static ai.meridian.support.inboundhttp.AnswerJson.extras;
import static ai.meridian.support.inboundhttp.AnswerJson.raw;
import static ai.meridian.support.inboundhttp.AnswerJson.rawOrNull;
import static ai.meridian.support.inboundhttp.AnswerJson.usage;
import static ai.meridian.support.json.JsonOutput.bytes;
import static ai.meridian.support.json.JsonOutput.string;

import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

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
                rawOrNull(g, "logprobs", choice.logprobs());
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
            extras(g, reply.citations(), Optional.empty(), reply.notices());
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
            rawOrNull(g, "logprobs", delta.logprobs());
            g.writeNullField("finish_reason");
            if (!delta.reasoningContent().isEmpty()) {
                g.writeStringField("reasoning_content", delta.reasoningContent());
            }
            raw(g, delta.choiceExtra());
            g.writeEndObject();
            g.writeEndArray();
            if (firstOfStream) {
                extras(g, start.citations(), Optional.empty(), start.notices());
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
                extras(g, start.citations(), Optional.empty(), start.notices());
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

    private static void head(JsonGenerator g, StreamStart start, Map<String, String> chunkExtra) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id(start.id()));
        g.writeStringField("object", "text_completion");
        g.writeNumberField("created", start.created());
        g.writeStringField("model", start.model());
        raw(g, chunkExtra);
    }
}
