package ai.meridian.adapter.in.rest;

import static ai.meridian.support.json.JsonOutput.bytes;

import ai.meridian.application.port.out.ConversationStore.ConversationPage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationTranscript;
import ai.meridian.domain.conversation.StoredTurn;
import ai.meridian.domain.conversation.Turn;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/**
 * The conversations API's JSON, in the style of OpenAI's list and object responses: {@code object} names
 * the kind, times are Unix seconds, lists page with {@code first_id}, {@code last_id} and {@code has_more}.
 */
final class ConversationJson {
    private ConversationJson() {
    }

    static byte[] page(ConversationPage page) {
        return bytes(g -> {
            List<Conversation> data = page.conversations();
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (Conversation c : data) {
                g.writeStartObject();
                fields(g, c);
                g.writeEndObject();
            }
            g.writeEndArray();
            nullableString(g, "first_id", data.isEmpty() ? null : data.get(0).id().value());
            nullableString(g, "last_id", data.isEmpty() ? null : data.get(data.size() - 1).id().value());
            g.writeBooleanField("has_more", page.hasMore());
            g.writeEndObject();
        });
    }

    static byte[] conversation(Conversation conversation) {
        return bytes(g -> {
            g.writeStartObject();
            fields(g, conversation);
            g.writeEndObject();
        });
    }

    static byte[] transcript(ConversationTranscript transcript) {
        return bytes(g -> {
            g.writeStartObject();
            fields(g, transcript.conversation());
            if (transcript.summary().isPresent()) {
                g.writeObjectFieldStart("summary");
                g.writeStringField("text", transcript.summary().get().text());
                g.writeNumberField("through_turn", transcript.summary().get().throughSeq());
                g.writeEndObject();
            } else {
                g.writeNullField("summary");
            }
            g.writeArrayFieldStart("turns");
            for (StoredTurn turn : transcript.turns()) {
                turn(g, turn);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    static byte[] deleted(String id) {
        return bytes(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "conversation.deleted");
            g.writeBooleanField("deleted", true);
            g.writeEndObject();
        });
    }

    private static void fields(JsonGenerator g, Conversation c) throws IOException {
        g.writeStringField("id", c.id().value());
        g.writeStringField("object", "conversation");
        g.writeStringField("title", c.title());
        g.writeNumberField("created_at", c.createdAt().getEpochSecond());
        g.writeNumberField("updated_at", c.updatedAt().getEpochSecond());
        g.writeNumberField("turn_count", c.turnCount());
    }

    private static void turn(JsonGenerator g, StoredTurn stored) throws IOException {
        Turn t = stored.turn();
        g.writeStartObject();
        g.writeNumberField("seq", stored.seq());
        g.writeStringField("role", t.role().wireName());
        OpenAiJsonWriter.messageFields(g, t.message());
        g.writeStringField("model", t.model());
        if (t.role() == Role.ASSISTANT) {
            g.writeStringField("backend", t.backend());
            nullableString(g, "finish_reason", t.finishReason().map(f -> f.wireName()).orElse(null));
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", t.usage().promptTokens());
            g.writeNumberField("completion_tokens", t.usage().completionTokens());
            g.writeNumberField("total_tokens", t.usage().totalTokens());
            g.writeEndObject();
            g.writeArrayFieldStart("citations");
            for (Citation c : t.citations()) {
                g.writeStartObject();
                g.writeNumberField("number", c.number());
                g.writeStringField("title", c.title());
                g.writeStringField("url", c.url());
                g.writeStringField("date", c.date());
                g.writeStringField("snippet", c.snippet());
                g.writeStringField("source", c.source());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeNumberField("created_at", t.createdAt().getEpochSecond());
        g.writeEndObject();
    }

    private static void nullableString(JsonGenerator g, String field, String value) throws IOException {
        if (value == null) {
            g.writeNullField(field);
        } else {
            g.writeStringField(field, value);
        }
    }
}
