package ai.meridian.adapter.in.responses;

import static ai.meridian.support.json.JsonOutput.bytes;
import static ai.meridian.support.json.JsonOutput.string;

import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.inboundhttp.AnswerJson;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Writes the Responses API's shapes: the {@code response} object (whole answers, {@code GET}, and the snapshots stream
 * events carry), input item lists, the deletion answer, and the events of a stream. Written with a streaming generator.
 */
final class ResponsesJsonWriter {
    private ResponsesJsonWriter() {
    }

    /**
     * A response object as it stands: {@code status} one of in_progress, completed, incomplete, failed; {@code usage}
     * null until known; {@code failure} and {@code incompleteReason} null unless so.
     */
    record View(String id, long createdAt, String status, String model, String previousId, boolean store, List<Items.Item> output,
                TokenUsage usage, StoredResponse.Failure failure, String incompleteReason, Attributes attributes, List<Citation> citations,
                List<String> notices) {
    }

    /** The view of a stored (or just answered) response. */
    static View view(StoredResponse r, Attributes a, boolean stored, List<Items.Item> output) {
        String incomplete = null;
        if (r.status() == ResponseStatus.INCOMPLETE) {
            incomplete = incompleteReason(r.finishReason().orElse(FinishReason.LENGTH));
        }
        String status = r.status() == ResponseStatus.CANCELLED ? "cancelled" : r.status().wireName();
        return new View(r.id().value(), r.createdAt().getEpochSecond(), status, r.model(), r.previous().map(Object::toString).orElse(null),
                stored, output, r.usage(), r.failure().orElse(null), incomplete, a, r.citations(), r.notices());
    }

    static String incompleteReason(FinishReason reason) {
        if (reason.equals(FinishReason.LENGTH)) {
            return "max_output_tokens";
        }
        if (reason.equals(FinishReason.CONTENT_FILTER)) {
            return "content_filter";
        }
        return reason.wireName();
    }

    static byte[] response(View view) {
        return bytes(g -> write(g, view));
    }

    static void write(JsonGenerator g, View v) throws IOException {
        Attributes a = v.attributes();
        g.writeStartObject();
        g.writeStringField("id", v.id());
        g.writeStringField("object", "response");
        g.writeNumberField("created_at", v.createdAt());
        g.writeStringField("status", v.status());
        g.writeBooleanField("background", false);
        if (v.failure() == null) {
            g.writeNullField("error");
        } else {
            g.writeObjectFieldStart("error");
            g.writeStringField("code", v.failure().code());
            g.writeStringField("message", v.failure().message());
            g.writeEndObject();
        }
        if (v.incompleteReason() == null) {
            g.writeNullField("incomplete_details");
        } else {
            g.writeObjectFieldStart("incomplete_details");
            g.writeStringField("reason", v.incompleteReason());
            g.writeEndObject();
        }
        echo(g, a, "instructions", "null");
        echo(g, a, "max_output_tokens", "null");
        echo(g, a, "max_tool_calls", "null");
        g.writeStringField("model", v.model());
        g.writeArrayFieldStart("output");
        for (Items.Item item : v.output()) {
            item.write(g);
        }
        g.writeEndArray();
        echo(g, a, "parallel_tool_calls", "true");
        if (v.previousId() == null) {
            g.writeNullField("previous_response_id");
        } else {
            g.writeStringField("previous_response_id", v.previousId());
        }
        echo(g, a, "reasoning", "{\"effort\":null,\"summary\":null}");
        echo(g, a, "service_tier", "null");
        g.writeBooleanField("store", v.store());
        echo(g, a, "temperature", "null");
        echo(g, a, "text", "{\"format\":{\"type\":\"text\"}}");
        echo(g, a, "tool_choice", "\"auto\"");
        echo(g, a, "tools", "[]");
        echo(g, a, "top_logprobs", "0");
        echo(g, a, "top_p", "null");
        echo(g, a, "truncation", "\"disabled\"");
        if (v.usage() == null) {
            g.writeNullField("usage");
        } else {
            usage(g, v.usage());
        }
        if (a.echo().containsKey("user")) {
            echo(g, a, "user", "null");
        }
        echo(g, a, "metadata", "{}");
        if (!v.citations().isEmpty()) {
            g.writeArrayFieldStart("search_results");
            for (Citation c : v.citations()) {
                g.writeStartObject();
                AnswerJson.sourceFields(g, c);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        AnswerJson.notices(g, v.notices());
        g.writeEndObject();
    }

    private static void echo(JsonGenerator g, Attributes a, String field, String fallback) throws IOException {
        g.writeFieldName(field);
        g.writeRawValue(a.echoed(field, fallback));
    }

    static void usage(JsonGenerator g, TokenUsage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("input_tokens", usage.promptTokens());
        g.writeObjectFieldStart("input_tokens_details");
        g.writeNumberField("cached_tokens", usage.cachedPromptTokens());
        g.writeEndObject();
        g.writeNumberField("output_tokens", usage.completionTokens());
        g.writeObjectFieldStart("output_tokens_details");
        g.writeNumberField("reasoning_tokens", usage.reasoningTokens());
        g.writeEndObject();
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeEndObject();
    }

    /** A page of a response's input items. */
    static byte[] inputItems(List<Items.Item> page, boolean hasMore) {
        return bytes(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (Items.Item item : page) {
                item.write(g);
            }
            g.writeEndArray();
            Optional<Items.Item> first = page.stream().findFirst();
            if (first.isPresent()) {
                g.writeStringField("first_id", first.get().id());
                g.writeStringField("last_id", page.get(page.size() - 1).id());
            } else {
                g.writeNullField("first_id");
                g.writeNullField("last_id");
            }
            g.writeBooleanField("has_more", hasMore);
            g.writeEndObject();
        });
    }

    static byte[] deleted(String id) {
        return bytes(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "response");
            g.writeBooleanField("deleted", true);
            g.writeEndObject();
        });
    }

    /** The {@code error} event of a stream that fails after it began. */
    static String errorEvent(GatewayError error, int sequence) {
        return string(g -> {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeStringField("code", error.code() == null ? error.kind().type() : error.code());
            g.writeStringField("message", error.message());
            if (error.param() == null) {
                g.writeNullField("param");
            } else {
                g.writeStringField("param", error.param());
            }
            g.writeNumberField("sequence_number", sequence);
            g.writeEndObject();
        });
    }
}
