package ai.meridian.adapter.in.responses;

import ai.meridian.support.json.JsonOutput;
import ai.meridian.application.port.in.ResponseStart;
import ai.meridian.application.port.in.ResponseStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.EventStream;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A response streamed as the Responses API streams it, built from the core's deltas as they arrive: {@code
 * response.created} and {@code response.in_progress} with the first token; each output item (reasoning, the message,
 * each function call) added when its first piece arrives, its pieces as {@code *.delta} events, everything closed with
 * its {@code *.done} events once the answer is complete and stored; then {@code response.completed} (or {@code
 * response.incomplete}) with the whole response. A failure after the first token is an {@code error} event and {@code
 * response.failed}. Every event carries its {@code sequence_number}, from 0.
 */
final class ResponsesStream implements ResponseStreamObserver {
    private final String requestId;
    private final Attributes attributes;
    private final boolean store;
    private final String previousId;
    private final EventStream events;
    private final StringBuilder pending = new StringBuilder(512);
    private int sequence;
    private ResponseStart start;
    private ResponseId id;
    private final List<Open> items = new ArrayList<>();
    private ReasoningItem reasoning;
    private MessageItem message;
    private final TreeMap<Integer, CallItem> calls = new TreeMap<>();
    private final TreeMap<Integer, StringBuilder> orphanArguments = new TreeMap<>();

    ResponsesStream(String requestId, Attributes attributes, boolean store, String previousId, EventStream events) {
        this.requestId = requestId;
        this.attributes = attributes;
        this.store = store;
        this.previousId = previousId;
        this.events = events;
    }

    /** An output item being streamed. */
    private abstract static class Open {
        final int outputIndex;
        final String itemId;

        Open(int outputIndex, String itemId) {
            this.outputIndex = outputIndex;
            this.itemId = itemId;
        }

        abstract Items.Item item(String status);
    }

    private final class ReasoningItem extends Open {
        final StringBuilder text = new StringBuilder();

        ReasoningItem(int outputIndex) {
            super(outputIndex, id.itemId("rs", null));
        }

        @Override
        Items.Item item(String status) {
            return new Items.Reasoning(itemId, text.toString(), attributes.summary(), status);
        }
    }

    private final class MessageItem extends Open {
        final StringBuilder text = new StringBuilder();
        StringBuilder refusal;
        int textIndex = -1;
        int refusalIndex = -1;
        int parts;
        final List<String> logprobs = new ArrayList<>();

        MessageItem(int outputIndex) {
            super(outputIndex, id.itemId("msg", null));
        }

        String logprobsJson() {
            return attributes.logprobs() ? "[" + String.join(",", logprobs) + "]" : null;
        }

        @Override
        Items.Item item(String status) {
            String shown = textIndex < 0 ? null : text.toString();
            return new Items.Message(itemId, status, shown, refusal == null ? null : refusal.toString(),
                    Items.annotations(shown, start.stream().citations()), logprobsJson());
        }
    }

    private final class CallItem extends Open {
        final String callId;
        final String name;
        final boolean custom;
        final StringBuilder arguments = new StringBuilder();

        CallItem(int outputIndex, int index, String callId, String name, boolean custom) {
            super(outputIndex, id.itemId(custom ? "ctc" : "fc", index));
            this.callId = callId == null ? "call_" + id.value().substring(5) + "_" + index : callId;
            this.name = name;
            this.custom = custom;
        }

        @Override
        Items.Item item(String status) {
            return new Items.FunctionCall(itemId, status, new ToolCall(callId, custom ? "custom" : "function", name, arguments.toString()));
        }
    }

    @Override
    public void onStart(ResponseStart responseStart) {
        this.start = responseStart;
        this.id = responseStart.id();
        events.open(header -> AnswerHeaders.write(requestId, responseStart.stream().servedBy(), java.util.Optional.empty(),
                responseStart.stream().rateLimit(), header));
        ResponsesJsonWriter.View snapshot = snapshot("in_progress", null, null);
        event("response.created", g -> response(g, snapshot));
        event("response.in_progress", g -> response(g, snapshot));
        if (attributes.webSearchQuery() != null) {
            webSearch();
        }
        flush();
    }

    /** The web search grounding ran before the model: shown as a finished web_search_call item, first. */
    private void webSearch() {
        String itemId = id.itemId("ws", null);
        Items.WebSearch searching = new Items.WebSearch(itemId, "in_progress", attributes.webSearchQuery(), null);
        Items.WebSearch done = new Items.WebSearch(itemId, Items.webSearchStatus(start.stream().notices()), attributes.webSearchQuery(),
                attributes.webSearchSources() ? start.stream().citations() : null);
        int index = items.size();
        items.add(new Open(index, itemId) {
            @Override
            Items.Item item(String status) {
                return done;
            }
        });
        event("response.output_item.added", g -> {
            g.writeNumberField("output_index", index);
            g.writeFieldName("item");
            searching.write(g);
        });
        for (String phase : List.of("in_progress", "searching", "completed")) {
            event("response.web_search_call." + phase, g -> {
                g.writeNumberField("output_index", index);
                g.writeStringField("item_id", itemId);
            });
        }
        event("response.output_item.done", g -> {
            g.writeNumberField("output_index", index);
            g.writeFieldName("item");
            done.write(g);
        });
    }

    @Override
    public void onDelta(Delta delta) {
        if (!delta.reasoningContent().isEmpty()) {
            reasoningPiece(delta.reasoningContent());
        }
        if (!delta.content().isEmpty()) {
            textPiece(delta.content(), delta.logprobs());
        }
        if (delta.refusal() != null && !delta.refusal().isEmpty()) {
            refusalPiece(delta.refusal());
        }
        for (ToolCallDelta fragment : delta.toolCalls()) {
            callPiece(fragment);
        }
        flush();
    }

    private void reasoningPiece(String piece) {
        if (reasoning == null) {
            reasoning = new ReasoningItem(items.size());
            items.add(reasoning);
            ReasoningItem r = reasoning;
            event("response.output_item.added", g -> {
                g.writeNumberField("output_index", r.outputIndex);
                g.writeObjectFieldStart("item");
                g.writeStringField("id", r.itemId);
                g.writeStringField("type", "reasoning");
                g.writeArrayFieldStart("summary");
                g.writeEndArray();
                g.writeNullField("encrypted_content");
                g.writeStringField("status", "in_progress");
                g.writeEndObject();
            });
            if (attributes.summary()) {
                event("response.reasoning_summary_part.added", g -> {
                    itemRef(g, r);
                    g.writeNumberField("summary_index", 0);
                    g.writeObjectFieldStart("part");
                    g.writeStringField("type", "summary_text");
                    g.writeStringField("text", "");
                    g.writeEndObject();
                });
            } else {
                event("response.content_part.added", g -> {
                    itemRef(g, r);
                    g.writeNumberField("content_index", 0);
                    g.writeObjectFieldStart("part");
                    g.writeStringField("type", "reasoning_text");
                    g.writeStringField("text", "");
                    g.writeEndObject();
                });
            }
        }
        reasoning.text.append(piece);
        ReasoningItem r = reasoning;
        if (attributes.summary()) {
            event("response.reasoning_summary_text.delta", g -> {
                itemRef(g, r);
                g.writeNumberField("summary_index", 0);
                g.writeStringField("delta", piece);
            });
        } else {
            event("response.reasoning_text.delta", g -> {
                itemRef(g, r);
                g.writeNumberField("content_index", 0);
                g.writeStringField("delta", piece);
            });
        }
    }

    private MessageItem message() {
        if (message == null) {
            message = new MessageItem(items.size());
            items.add(message);
            MessageItem m = message;
            event("response.output_item.added", g -> {
                g.writeNumberField("output_index", m.outputIndex);
                g.writeObjectFieldStart("item");
                g.writeStringField("id", m.itemId);
                g.writeStringField("type", "message");
                g.writeStringField("status", "in_progress");
                g.writeStringField("role", "assistant");
                g.writeArrayFieldStart("content");
                g.writeEndArray();
                g.writeEndObject();
            });
        }
        return message;
    }

    private void openText(MessageItem m) {
        if (m.textIndex >= 0) {
            return;
        }
        m.textIndex = m.parts++;
        event("response.content_part.added", g -> {
            itemRef(g, m);
            g.writeNumberField("content_index", m.textIndex);
            g.writeFieldName("part");
            Items.outputText(g, "", List.of(), attributes.logprobs() ? "[]" : null);
        });
    }

    private void textPiece(String piece, String logprobs) {
        MessageItem m = message();
        openText(m);
        m.text.append(piece);
        String pieceLogprobs = attributes.logprobs() ? logprobContent(logprobs) : null;
        if (pieceLogprobs != null && pieceLogprobs.length() > 2) {
            m.logprobs.add(pieceLogprobs.substring(1, pieceLogprobs.length() - 1));
        }
        event("response.output_text.delta", g -> {
            itemRef(g, m);
            g.writeNumberField("content_index", m.textIndex);
            g.writeStringField("delta", piece);
            g.writeFieldName("logprobs");
            g.writeRawValue(pieceLogprobs == null ? "[]" : pieceLogprobs);
        });
    }

    /** The token log probabilities of a chat chunk ({@code {"content":[...]}}) as the Responses API lists them. */
    static String logprobContent(String chatLogprobs) {
        if (chatLogprobs == null || !RawJson.isObject(chatLogprobs)) {
            return null;
        }
        String content = RawJson.objectMembers(chatLogprobs).get("content");
        return content == null || !content.startsWith("[") ? null : content;
    }

    private void refusalPiece(String piece) {
        MessageItem m = message();
        if (m.refusal == null) {
            m.refusal = new StringBuilder();
            m.refusalIndex = m.parts++;
            event("response.content_part.added", g -> {
                itemRef(g, m);
                g.writeNumberField("content_index", m.refusalIndex);
                g.writeObjectFieldStart("part");
                g.writeStringField("type", "refusal");
                g.writeStringField("refusal", "");
                g.writeEndObject();
            });
        }
        m.refusal.append(piece);
        event("response.refusal.delta", g -> {
            itemRef(g, m);
            g.writeNumberField("content_index", m.refusalIndex);
            g.writeStringField("delta", piece);
        });
    }

    private void callPiece(ToolCallDelta fragment) {
        CallItem call = calls.get(fragment.index());
        if (call == null) {
            if (!fragment.opens()) {
                // Arguments before the call's name (not expected from OpenAI-compatible servers): held until it opens.
                orphanArguments.computeIfAbsent(fragment.index(), i -> new StringBuilder())
                        .append(fragment.arguments() == null ? "" : fragment.arguments());
                return;
            }
            call = new CallItem(items.size(), fragment.index(), fragment.id(), fragment.name(), "custom".equals(fragment.type()));
            calls.put(fragment.index(), call);
            items.add(call);
            CallItem c = call;
            event("response.output_item.added", g -> {
                g.writeNumberField("output_index", c.outputIndex);
                g.writeFieldName("item");
                c.item("in_progress").write(g);
            });
            StringBuilder held = orphanArguments.remove(fragment.index());
            if (held != null && held.length() > 0) {
                argumentsPiece(c, held.toString());
            }
        }
        if (fragment.arguments() != null && !fragment.arguments().isEmpty()) {
            argumentsPiece(call, fragment.arguments());
        }
    }

    private void argumentsPiece(CallItem c, String piece) {
        c.arguments.append(piece);
        event(c.custom ? "response.custom_tool_call_input.delta" : "response.function_call_arguments.delta", g -> {
            itemRef(g, c);
            g.writeStringField("delta", piece);
        });
    }

    @Override
    public void onFinish(StreamEnd end, StoredResponse response) {
        String status = Items.status(response.status());
        if (message == null && response.output().isPresent() && !response.output().get().contentNull()) {
            openText(message()); // an answer with no text at all still has its (empty) message, as GET shows it
        }
        for (Open item : items) {
            close(item, status);
        }
        ResponsesJsonWriter.View finished = new ResponsesJsonWriter.View(response.id().value(), response.createdAt().getEpochSecond(),
                response.status().wireName(), response.model(), previousId, store, finalItems(status), response.usage(), null,
                response.status() == ResponseStatus.INCOMPLETE ? ResponsesJsonWriter.incompleteReason(end.finishReason()) : null, attributes,
                response.citations(), start.stream().notices());
        event(response.status() == ResponseStatus.INCOMPLETE ? "response.incomplete" : "response.completed", g -> response(g, finished));
        flush();
        events.end();
    }

    private List<Items.Item> finalItems(String status) {
        List<Items.Item> output = new ArrayList<>(items.size());
        for (Open item : items) {
            output.add(item.item(item instanceof CallItem ? "completed" : status));
        }
        return output;
    }

    private void close(Open item, String status) {
        if (item instanceof ReasoningItem r) {
            String text = r.text.toString();
            if (attributes.summary()) {
                event("response.reasoning_summary_text.done", g -> {
                    itemRef(g, r);
                    g.writeNumberField("summary_index", 0);
                    g.writeStringField("text", text);
                });
                event("response.reasoning_summary_part.done", g -> {
                    itemRef(g, r);
                    g.writeNumberField("summary_index", 0);
                    g.writeObjectFieldStart("part");
                    g.writeStringField("type", "summary_text");
                    g.writeStringField("text", text);
                    g.writeEndObject();
                });
            } else {
                event("response.reasoning_text.done", g -> {
                    itemRef(g, r);
                    g.writeNumberField("content_index", 0);
                    g.writeStringField("text", text);
                });
                event("response.content_part.done", g -> {
                    itemRef(g, r);
                    g.writeNumberField("content_index", 0);
                    g.writeObjectFieldStart("part");
                    g.writeStringField("type", "reasoning_text");
                    g.writeStringField("text", text);
                    g.writeEndObject();
                });
            }
        } else if (item instanceof MessageItem m) {
            if (m.textIndex >= 0) {
                String text = m.text.toString();
                List<Items.Annotation> annotations = Items.annotations(text, start.stream().citations());
                for (int i = 0; i < annotations.size(); i++) {
                    int index = i;
                    event("response.output_text.annotation.added", g -> {
                        itemRef(g, m);
                        g.writeNumberField("content_index", m.textIndex);
                        g.writeNumberField("annotation_index", index);
                        g.writeFieldName("annotation");
                        annotations.get(index).write(g);
                    });
                }
                String logprobs = m.logprobsJson();
                event("response.output_text.done", g -> {
                    itemRef(g, m);
                    g.writeNumberField("content_index", m.textIndex);
                    g.writeStringField("text", text);
                    g.writeFieldName("logprobs");
                    g.writeRawValue(logprobs == null ? "[]" : logprobs);
                });
                event("response.content_part.done", g -> {
                    itemRef(g, m);
                    g.writeNumberField("content_index", m.textIndex);
                    g.writeFieldName("part");
                    Items.outputText(g, text, annotations, logprobs);
                });
            }
            if (m.refusal != null) {
                String refusal = m.refusal.toString();
                event("response.refusal.done", g -> {
                    itemRef(g, m);
                    g.writeNumberField("content_index", m.refusalIndex);
                    g.writeStringField("refusal", refusal);
                });
                event("response.content_part.done", g -> {
                    itemRef(g, m);
                    g.writeNumberField("content_index", m.refusalIndex);
                    g.writeObjectFieldStart("part");
                    g.writeStringField("type", "refusal");
                    g.writeStringField("refusal", refusal);
                    g.writeEndObject();
                });
            }
        } else if (item instanceof CallItem c) {
            if (c.custom) {
                event("response.custom_tool_call_input.done", g -> {
                    itemRef(g, c);
                    g.writeStringField("input", c.arguments.toString());
                });
            } else {
                event("response.function_call_arguments.done", g -> {
                    itemRef(g, c);
                    g.writeStringField("name", c.name);
                    g.writeStringField("arguments", c.arguments.toString());
                });
            }
        } else {
            return; // the web search item was closed when it was shown
        }
        Items.Item done = item.item(item instanceof CallItem ? "completed" : status);
        event("response.output_item.done", g -> {
            g.writeNumberField("output_index", item.outputIndex);
            g.writeFieldName("item");
            done.write(g);
        });
    }

    @Override
    public void onError(GatewayError error) {
        if (!events.opened()) {
            events.failBeforeOpen(ResponsesController.inThisApi(error));
            return;
        }
        append("error", ResponsesJsonWriter.errorEvent(error, sequence));
        StoredResponse.Failure failure = new StoredResponse.Failure(error.kind() == ai.meridian.domain.error.ErrorKind.RATE_LIMITED
                ? "rate_limit_exceeded" : "server_error", error.message());
        ResponsesJsonWriter.View failed = snapshot("failed", failure, finalItems("incomplete"));
        event("response.failed", g -> response(g, failed));
        flush();
        events.end();
    }

    private ResponsesJsonWriter.View snapshot(String status, StoredResponse.Failure failure, List<Items.Item> output) {
        return new ResponsesJsonWriter.View(id.value(), start.createdAt().getEpochSecond(), status, start.stream().model(), previousId, store,
                output == null ? List.of() : output, null, failure, null, attributes, List.<Citation>of(), List.of());
    }

    private static void response(JsonGenerator g, ResponsesJsonWriter.View view) throws IOException {
        g.writeFieldName("response");
        ResponsesJsonWriter.write(g, view);
    }

    private static void itemRef(JsonGenerator g, Open item) throws IOException {
        g.writeStringField("item_id", item.itemId);
        g.writeNumberField("output_index", item.outputIndex);
    }

    /** Appends one event: {@code event:} line, then the data with its type first and its sequence number last. */
    private void event(String type, JsonOutput.Body fields) {
        int number = sequence;
        append(type, JsonOutput.string(g -> {
            g.writeStartObject();
            g.writeStringField("type", type);
            fields.write(g);
            g.writeNumberField("sequence_number", number);
            g.writeEndObject();
        }));
    }

    private void append(String type, String json) {
        sequence++;
        pending.append("event: ").append(type).append("\ndata: ").append(json).append("\n\n");
    }

    /** Sends what the last call produced in one write. */
    private void flush() {
        if (pending.length() > 0) {
            events.send(pending.toString());
            pending.setLength(0);
        }
    }
}
