package ai.meridian.adapter.in.anthropic;

import static ai.meridian.support.json.JsonOutput.bytes;
import static ai.meridian.support.json.JsonOutput.string;

import ai.meridian.application.port.in.ChatReply;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.inboundhttp.AnswerJson;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.json.JsonOutput;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes Anthropic's response shapes: the {@code message} object, stream events and errors, with a streaming
 * generator (no object mapping on the hot path). Where the domain says more than Anthropic's shape holds, it is
 * written as Meridian's documented additions: {@code search_results}, {@code conversation_id} and {@code notices}
 * beside the message's fields.
 */
final class AnthropicJsonWriter {
    /** Stop reasons Anthropic's clients know; a backend that already speaks them is relayed as it said. */
    private static final Set<String> ANTHROPIC_STOP_REASONS = Set.of("end_turn", "max_tokens", "stop_sequence", "tool_use",
            "pause_turn", "refusal", "model_context_window_exceeded");

    private AnthropicJsonWriter() {
    }

    /** One server-sent event: Anthropic names each event after its data's type. */
    static String event(String type, JsonOutput.Body data) {
        return "event: " + type + "\ndata: " + string(data) + "\n\n";
    }

    // ---- errors ----

    static byte[] error(GatewayError error) {
        return bytes(g -> errorObject(g, error));
    }

    static String errorEvent(GatewayError error) {
        return event("error", g -> errorObject(g, error));
    }

    private static void errorObject(JsonGenerator g, GatewayError error) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "error");
        g.writeObjectFieldStart("error");
        g.writeStringField("type", AnthropicErrors.type(error));
        g.writeStringField("message", error.message());
        g.writeEndObject();
        g.writeEndObject();
    }

    // ---- the message ----

    static String messageId(String completionId) {
        return "msg_" + (completionId.startsWith("chatcmpl-") ? completionId.substring(9) : completionId);
    }

    /** A whole answer as a {@code message}: thinking, text (with its citations), tool calls; stop reason; usage. */
    static byte[] message(ChatReply reply, String requestedModel, List<String> stopSequences) {
        return bytes(g -> {
            Choice choice = reply.completion().first();
            g.writeStartObject();
            g.writeStringField("id", messageId(reply.id()));
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", requestedModel);
            g.writeArrayFieldStart("content");
            thinkingBlocks(g, choice);
            String text = choice.text();
            String refusal = choice.refusal();
            if (!text.isEmpty() || refusal == null && choice.toolCalls().isEmpty() && choice.reasoningContent().isEmpty()) {
                g.writeStartObject();
                g.writeStringField("type", "text");
                g.writeStringField("text", text);
                citations(g, reply.citations(), text, choice.messageExtra().get("citations"));
                g.writeEndObject();
            }
            if (refusal != null && !refusal.isEmpty()) {
                g.writeStartObject();
                g.writeStringField("type", "text");
                g.writeStringField("text", refusal);
                g.writeEndObject();
            }
            for (int i = 0; i < choice.toolCalls().size(); i++) {
                toolUse(g, choice.toolCalls().get(i), reply.id(), i, true);
            }
            String other = choice.messageExtra().get("other_content");
            if (other != null && other.startsWith("[")) {
                writeArrayItems(g, other);
            }
            g.writeEndArray();
            String matched = matchedStop(choice.choiceExtra(), stopSequences);
            g.writeStringField("stop_reason", stopReason(choice.finishReason(), matched, refusal != null));
            if (matched != null && choice.finishReason().equals(FinishReason.STOP)) {
                g.writeStringField("stop_sequence", matched);
            } else {
                g.writeNullField("stop_sequence");
            }
            g.writeFieldName("usage");
            usage(g, reply.usage(), true);
            // What else the backend said about its answer (an Anthropic backend's stop_details, container, ...), as written.
            for (Map.Entry<String, String> field : reply.completion().extra().entrySet()) {
                if (!MESSAGE_FIELDS.contains(field.getKey())) {
                    g.writeFieldName(field.getKey());
                    g.writeRawValue(field.getValue());
                }
            }
            meridianExtras(g, reply.citations(), reply.conversationId(), reply.notices());
            g.writeEndObject();
        });
    }

    /** The fields this writer sets itself (and Meridian's additions), which a backend's own fields do not replace. */
    private static final Set<String> MESSAGE_FIELDS = Set.of("id", "type", "role", "model", "content", "stop_reason", "stop_sequence",
            "usage", "search_results", "conversation_id", "notices");

    /** Signed thinking relayed as the backend gave it; reasoning from elsewhere as a thinking block without a signature. */
    private static void thinkingBlocks(JsonGenerator g, Choice choice) throws IOException {
        String signed = choice.messageExtra().get("thinking_blocks");
        if (signed != null && signed.startsWith("[")) {
            writeArrayItems(g, signed);
        } else if (!choice.reasoningContent().isEmpty()) {
            g.writeStartObject();
            g.writeStringField("type", "thinking");
            g.writeStringField("thinking", choice.reasoningContent());
            g.writeStringField("signature", "");
            g.writeEndObject();
        }
    }

    private static void writeArrayItems(JsonGenerator g, String jsonArray) throws IOException {
        try (com.fasterxml.jackson.core.JsonParser p = Json.FACTORY.createParser(jsonArray)) {
            p.nextToken();
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                g.writeRawValue(RawJson.read(p));
            }
        }
    }

    /**
     * A {@code tool_use} block. The model's arguments are the input when they are a JSON object; empty arguments are
     * {@code {}}; anything else (a model that wrote invalid JSON) is kept as {@code {"_raw_arguments": "..."}} rather
     * than lost. {@code withInput} false writes the opening of a streamed block ({@code "input": {}}).
     */
    static void toolUse(JsonGenerator g, ToolCall call, String completionId, int index, boolean withInput) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "tool_use");
        g.writeStringField("id", call.id() != null ? call.id() : toolUseId(completionId, index));
        g.writeStringField("name", call.name());
        g.writeFieldName("input");
        if (!withInput) {
            g.writeStartObject();
            g.writeEndObject();
        } else {
            g.writeRawValue(input(call.arguments()));
        }
        g.writeEndObject();
    }

    static String toolUseId(String completionId, int index) {
        return "toolu_" + (completionId.startsWith("chatcmpl-") ? completionId.substring(9) : completionId) + "_" + index;
    }

    static String input(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return "{}";
        }
        if (RawJson.isObject(arguments)) {
            try {
                RawJson.objectMembers(arguments);
                return arguments.strip();
            } catch (IllegalArgumentException malformed) {
                // kept below
            }
        }
        return "{\"_raw_arguments\":" + RawJson.quote(arguments) + "}";
    }

    /** The sources a text cites ([n] markers), as Anthropic-style citations; or those an Anthropic backend gave. */
    private static void citations(JsonGenerator g, List<Citation> sources, String text, String relayed) throws IOException {
        if (!sources.isEmpty()) {
            List<Integer> cited = new CitationMarks(sources.size()).feed(text);
            if (cited.isEmpty()) {
                return;
            }
            g.writeArrayFieldStart("citations");
            for (int number : cited) {
                citation(g, source(sources, number));
            }
            g.writeEndArray();
        } else if (relayed != null && relayed.startsWith("[")) {
            g.writeFieldName("citations");
            g.writeRawValue(relayed);
        }
    }

    static Citation source(List<Citation> sources, int number) {
        for (Citation c : sources) {
            if (c.number() == number) {
                return c;
            }
        }
        return sources.get(number - 1);
    }

    /**
     * A cited source: a web page as a {@code web_search_result_location} (url, title, the snippet as the cited
     * text), a knowledge-base passage as a {@code search_result_location} (its url as the source, its number less
     * one as the result index).
     */
    static void citation(JsonGenerator g, Citation c) throws IOException {
        g.writeStartObject();
        if ("web".equals(c.source())) {
            g.writeStringField("type", "web_search_result_location");
            g.writeStringField("url", c.url());
            g.writeStringField("title", c.title());
            g.writeStringField("encrypted_index", "");
            g.writeStringField("cited_text", c.snippet());
        } else {
            g.writeStringField("type", "search_result_location");
            g.writeStringField("source", c.url());
            g.writeStringField("title", c.title());
            g.writeStringField("cited_text", c.snippet());
            g.writeNumberField("search_result_index", c.number() - 1);
            g.writeNumberField("start_block_index", 0);
            g.writeNumberField("end_block_index", 0);
        }
        g.writeEndObject();
    }

    /** The request's stop sequence the backend says matched ({@code stop_reason}, as vLLM and Anthropic backends report it). */
    static String matchedStop(Map<String, String> choiceExtra, List<String> stopSequences) {
        String raw = choiceExtra.get("stop_reason");
        if (raw == null) {
            return null;
        }
        String matched = RawJson.stringValue(raw);
        return matched != null && stopSequences.contains(matched) ? matched : null;
    }

    /** The domain's finish reason in Anthropic's terms. */
    static String stopReason(FinishReason reason, String matchedStop, boolean refused) {
        if (refused) {
            return "refusal";
        }
        switch (reason.wireName()) {
            case "stop":
                return matchedStop != null ? "stop_sequence" : "end_turn";
            case "length":
                return "max_tokens";
            case "tool_calls":
            case "function_call":
                return "tool_use";
            case "content_filter":
                return "refusal";
            default:
                return ANTHROPIC_STOP_REASONS.contains(reason.wireName()) ? reason.wireName() : "end_turn";
        }
    }

    /**
     * Usage in Anthropic's terms: input tokens exclude those read from or written to the prompt cache, which have
     * their own fields; every other usage detail the backend reported follows as it wrote it.
     */
    static void usage(JsonGenerator g, TokenUsage usage, boolean withDetails) throws IOException {
        int cacheRead = usage.cachedPromptTokens();
        Long created = RawJson.longValue(usage.details().get("cache_creation_input_tokens"));
        int cacheCreation = created == null ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, created));
        g.writeStartObject();
        g.writeNumberField("input_tokens", Math.max(0, usage.promptTokens() - cacheRead - cacheCreation));
        g.writeNumberField("cache_creation_input_tokens", cacheCreation);
        g.writeNumberField("cache_read_input_tokens", cacheRead);
        g.writeNumberField("output_tokens", usage.completionTokens());
        if (withDetails) {
            for (Map.Entry<String, String> detail : usage.details().entrySet()) {
                String name = detail.getKey();
                if (!name.equals("cache_creation_input_tokens") && !name.equals("cache_read_input_tokens")
                        && !name.equals("input_tokens") && !name.equals("output_tokens")) {
                    g.writeFieldName(name);
                    g.writeRawValue(detail.getValue());
                }
            }
        }
        g.writeEndObject();
    }

    /** Meridian's additions, only when there is something to say. */
    static void meridianExtras(JsonGenerator g, List<Citation> citations, Optional<String> conversationId, List<String> notices)
            throws IOException {
        if (!citations.isEmpty()) {
            g.writeArrayFieldStart("search_results");
            for (Citation c : citations) {
                g.writeStartObject();
                g.writeNumberField("number", c.number());
                AnswerJson.sourceFields(g, c);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (conversationId.isPresent()) {
            g.writeStringField("conversation_id", conversationId.get());
        }
        AnswerJson.notices(g, notices);
    }
}
