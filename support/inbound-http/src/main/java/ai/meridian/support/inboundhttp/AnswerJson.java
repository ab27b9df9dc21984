package ai.meridian.support.inboundhttp;

import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.retrieval.Citation;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pieces of an answer the OpenAI-shaped doors (chat and the legacy Completions API) write alike: Meridian's additions
 * (sources, conversation, notices), OpenAI's {@code usage} object, and fields relayed from the upstream as raw JSON. The
 * Anthropic and Responses doors use its source fields and notices too.
 */
public final class AnswerJson {
    private AnswerJson() {
    }

    /**
     * What Meridian adds to OpenAI's shape, only when there is something to say: Perplexity-style {@code citations} (URLs,
     * numbered as the answer cites them) and {@code search_results} (a knowledge-base source with its calibrated
     * {@code score}), the {@code conversation_id}, and {@code notices} about degraded service. Clients ignore unknown fields.
     */
    public static void extras(JsonGenerator g, List<Citation> citations, Optional<String> conversationId, List<String> notices)
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
                sourceFields(g, c);
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
        notices(g, notices);
    }

    /**
     * The fields of a source every door writes in its {@code search_results} entry: title, url, date, snippet and
     * where it came from; a door adds its own (chat the {@code score}, Anthropic's the {@code number}).
     */
    public static void sourceFields(JsonGenerator g, Citation c) throws IOException {
        g.writeStringField("title", c.title());
        g.writeStringField("url", c.url());
        g.writeStringField("date", c.date());
        g.writeStringField("snippet", c.snippet());
        g.writeStringField("source", c.source());
    }

    /** {@code "notices": [...]} about degraded service, when there are any. */
    public static void notices(JsonGenerator g, List<String> notices) throws IOException {
        if (!notices.isEmpty()) {
            g.writeArrayFieldStart("notices");
            for (String notice : notices) {
                g.writeString(notice);
            }
            g.writeEndArray();
        }
    }

    /** {@code "usage": {...}} as OpenAI writes it, with the upstream's details relayed. */
    public static void usage(JsonGenerator g, TokenUsage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        usageFields(g, usage);
        g.writeEndObject();
    }

    /** The usage object's members. */
    public static void usageFields(JsonGenerator g, TokenUsage usage) throws IOException {
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        raw(g, usage.details());
    }

    /** Fields kept from the upstream as written: each a name and its raw JSON value. */
    public static void raw(JsonGenerator g, Map<String, String> fields) throws IOException {
        for (Map.Entry<String, String> field : fields.entrySet()) {
            g.writeFieldName(field.getKey());
            g.writeRawValue(field.getValue());
        }
    }

    /** One field with a raw JSON value, {@code null} when there is none. */
    public static void rawOrNull(JsonGenerator g, String field, String json) throws IOException {
        g.writeFieldName(field);
        if (json == null) {
            g.writeNull();
        } else {
            g.writeRawValue(json);
        }
    }
}
