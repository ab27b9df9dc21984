package ai.meridian.adapter.in.anthropic;

import ai.meridian.support.json.JsonOutput;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.ClientConnection;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A chat stream as Anthropic's named server-sent events, each written the moment its delta arrives:
 * {@code message_start} (then a {@code ping}), for every content block {@code content_block_start}, its
 * {@code content_block_delta}s ({@code thinking_delta} and {@code signature_delta}, {@code text_delta} with
 * {@code citations_delta} when the text cites a source, {@code input_json_delta}) and {@code content_block_stop}, then
 * {@code message_delta} (stop reason, stop sequence, usage) and {@code message_stop}; {@code ping} every interval while
 * the stream is open; an {@code error} event if the answer fails after it began. A block closes when output of another
 * kind begins. As on the OpenAI door, the HTTP head waits for the first token, so a failure before it is still a plain
 * HTTP error (in Anthropic's shape) and the fallback plan can act unseen; a client that goes away cancels the upstream
 * call.
 */
final class MessagesStream implements ChatStreamObserver {
    private static final String PING = "event: ping\ndata: {\"type\":\"ping\"}\n\n";

    private enum Kind { NONE, THINKING, TEXT, TOOL }

    private final String requestId;
    private final String requestedModel;
    private final List<String> stopSequences;
    private final ClientConnection client;
    private final Duration pingInterval;
    private final Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<MutableHttpResponse<?>> head = new CompletableFuture<>();
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private volatile Cancellable upstream;
    private volatile boolean clientGone;
    private StreamStart start;
    private Runnable stopPings = () -> { };
    private boolean ended;
    private int blocks;
    private int openBlock = -1;
    private Kind openKind = Kind.NONE;
    private CitationMarks marks;
    private String matchedStop;
    private String stopDetails;
    /** The open thinking block got its signature: thinking that follows is another block. */
    private boolean signed;

    MessagesStream(String requestId, String requestedModel, List<String> stopSequences, ClientConnection client, Duration pingInterval) {
        this.requestId = requestId;
        this.requestedModel = requestedModel;
        this.stopSequences = stopSequences;
        this.client = client;
        this.pingInterval = pingInterval;
        client.onClose(this::clientLeft);
    }

    CompletableFuture<MutableHttpResponse<?>> response() {
        return head;
    }

    void upstream(Cancellable handle) {
        this.upstream = handle;
        if (clientGone) {
            handle.cancel();
        }
    }

    private void clientLeft() {
        clientGone = true;
        Cancellable handle = upstream;
        if (handle != null) {
            handle.cancel();
        }
        synchronized (this) {
            stopPings.run();
        }
    }

    @Override
    public synchronized void onStart(StreamStart streamStart) {
        this.start = streamStart;
        this.marks = new CitationMarks(streamStart.citations().size());
        Flux<String> body = sink.asFlux().doOnCancel(this::clientLeft);
        MutableHttpResponse<?> response = HttpResponse.ok(body).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
        AnswerHeaders.writeStream(requestId, streamStart.servedBy(), streamStart.conversationId(), streamStart.rateLimit(), response::header);
        AnthropicRateLimitHeaders.write(streamStart.rateLimit(), response::header);
        response.header("request-id", requestId);
        emit(AnthropicJsonWriter.event("message_start", g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_start");
            g.writeObjectFieldStart("message");
            g.writeStringField("id", AnthropicJsonWriter.messageId(streamStart.id()));
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", requestedModel);
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            // The prompt's size is known once the backend reports usage: message_delta carries it.
            g.writeObjectFieldStart("usage");
            g.writeNumberField("input_tokens", 0);
            g.writeNumberField("cache_creation_input_tokens", 0);
            g.writeNumberField("cache_read_input_tokens", 0);
            g.writeNumberField("output_tokens", 0);
            g.writeEndObject();
            AnthropicJsonWriter.meridianExtras(g, streamStart.citations(), streamStart.conversationId(), streamStart.notices());
            g.writeEndObject();
            g.writeEndObject();
        }) + PING);
        head.complete(response);
        if (!clientGone) {
            stopPings = client.every(pingInterval, this::ping);
        }
    }

    private synchronized void ping() {
        if (!ended) {
            emit(PING);
        }
    }

    @Override
    public synchronized void onDelta(Delta delta) {
        if (ended) {
            return;
        }
        StringBuilder events = new StringBuilder(128);
        if (!delta.reasoningContent().isEmpty()) {
            open(events, Kind.THINKING, -1, null);
            events.append(blockDelta(g -> {
                g.writeStringField("type", "thinking_delta");
                g.writeStringField("thinking", delta.reasoningContent());
            }));
        }
        String thinkingBlocks = delta.deltaExtra().get("thinking_blocks");
        if (thinkingBlocks != null) {
            signedThinking(events, thinkingBlocks);
        }
        String text = delta.content().isEmpty() && delta.refusal() != null ? delta.refusal() : delta.content();
        if (!text.isEmpty()) {
            open(events, Kind.TEXT, -1, null);
            events.append(blockDelta(g -> {
                g.writeStringField("type", "text_delta");
                g.writeStringField("text", text);
            }));
            for (int number : marks.feed(text)) {
                Citation source = AnthropicJsonWriter.source(start.citations(), number);
                events.append(blockDelta(g -> {
                    g.writeStringField("type", "citations_delta");
                    g.writeFieldName("citation");
                    AnthropicJsonWriter.citation(g, source);
                }));
            }
        }
        String relayedCitations = delta.deltaExtra().get("citations");
        if (relayedCitations != null && openKind == Kind.TEXT) {
            forEachObject(relayedCitations, citation -> events.append(blockDelta(g -> {
                g.writeStringField("type", "citations_delta");
                g.writeFieldName("citation");
                g.writeRawValue(citation);
            })));
        }
        for (ToolCallDelta fragment : delta.toolCalls()) {
            tool(events, fragment);
        }
        String other = delta.deltaExtra().get("other_content");
        if (other != null) {
            // Blocks an Anthropic backend sent that the chat values have no field for (server tool use, its results): whole.
            forEachObject(other, block -> {
                close(events);
                int index = blocks++;
                events.append(AnthropicJsonWriter.event("content_block_start", g -> {
                    g.writeStartObject();
                    g.writeStringField("type", "content_block_start");
                    g.writeNumberField("index", index);
                    g.writeFieldName("content_block");
                    g.writeRawValue(block);
                    g.writeEndObject();
                }));
                events.append(stopEvent(index));
            });
        }
        String stop = AnthropicJsonWriter.matchedStop(delta.choiceExtra(), stopSequences);
        if (stop != null) {
            matchedStop = stop;
        }
        String details = delta.choiceExtra().get("stop_details");
        if (details != null) {
            stopDetails = details;
        }
        if (events.length() > 0) {
            emit(events.toString());
        }
    }

    /** Signatures and redacted thinking from a backend that signs its thinking (an Anthropic upstream). */
    private void signedThinking(StringBuilder events, String blocksJson) {
        forEachObject(blocksJson, block -> {
            Map<String, String> members = RawJson.objectMembers(block);
            String type = RawJson.stringValue(members.get("type"));
            if ("redacted_thinking".equals(type)) {
                close(events);
                int index = blocks++;
                events.append(AnthropicJsonWriter.event("content_block_start", g -> {
                    g.writeStartObject();
                    g.writeStringField("type", "content_block_start");
                    g.writeNumberField("index", index);
                    g.writeFieldName("content_block");
                    g.writeRawValue(block);
                    g.writeEndObject();
                }));
                events.append(stopEvent(index));
            } else if ("thinking".equals(type)) {
                open(events, Kind.THINKING, -1, null);
                String thinking = RawJson.stringValue(members.get("thinking"));
                if (thinking != null && !thinking.isEmpty()) {
                    events.append(blockDelta(g -> {
                        g.writeStringField("type", "thinking_delta");
                        g.writeStringField("thinking", thinking);
                    }));
                }
                String signature = RawJson.stringValue(members.get("signature"));
                if (signature != null && !signature.isEmpty()) {
                    events.append(blockDelta(g -> {
                        g.writeStringField("type", "signature_delta");
                        g.writeStringField("signature", signature);
                    }));
                    signed = true;
                }
            }
        });
    }

    /** A tool-call fragment: the opening one starts a {@code tool_use} block, argument pieces are its {@code input_json_delta}s. */
    private void tool(StringBuilder events, ToolCallDelta fragment) {
        Integer block = toolBlocks.get(fragment.index());
        if (block == null || fragment.opens() && block != openBlock) {
            String name = fragment.name() != null ? fragment.name() : "";
            open(events, Kind.TOOL, fragment.index(), new ToolCall(
                    fragment.id() != null ? fragment.id() : AnthropicJsonWriter.toolUseId(start.id(), fragment.index()), "function",
                    name.isEmpty() ? "unnamed" : name, ""));
            block = openBlock;
        }
        String arguments = fragment.arguments();
        if (arguments != null && !arguments.isEmpty()) {
            int index = block;
            events.append(AnthropicJsonWriter.event("content_block_delta", g -> {
                g.writeStartObject();
                g.writeStringField("type", "content_block_delta");
                g.writeNumberField("index", index);
                g.writeObjectFieldStart("delta");
                g.writeStringField("type", "input_json_delta");
                g.writeStringField("partial_json", arguments);
                g.writeEndObject();
                g.writeEndObject();
            }));
        }
    }

    /** Makes a block of {@code kind} the open one (closing the one before), unless it already is. */
    private void open(StringBuilder events, Kind kind, int toolIndex, ToolCall call) {
        if (openKind == kind && kind != Kind.TOOL && !(kind == Kind.THINKING && signed)) {
            return;
        }
        close(events);
        int index = blocks++;
        openBlock = index;
        openKind = kind;
        signed = false;
        if (kind == Kind.TOOL) {
            toolBlocks.put(toolIndex, index);
        }
        events.append(AnthropicJsonWriter.event("content_block_start", g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_start");
            g.writeNumberField("index", index);
            g.writeFieldName("content_block");
            switch (kind) {
                case THINKING:
                    g.writeStartObject();
                    g.writeStringField("type", "thinking");
                    g.writeStringField("thinking", "");
                    g.writeStringField("signature", "");
                    g.writeEndObject();
                    break;
                case TEXT:
                    g.writeStartObject();
                    g.writeStringField("type", "text");
                    g.writeStringField("text", "");
                    g.writeEndObject();
                    break;
                default:
                    AnthropicJsonWriter.toolUse(g, call, start.id(), toolIndex, false);
            }
            g.writeEndObject();
        }));
    }

    private void close(StringBuilder events) {
        if (openBlock >= 0) {
            events.append(stopEvent(openBlock));
            openBlock = -1;
            openKind = Kind.NONE;
        }
    }

    private static String stopEvent(int index) {
        return AnthropicJsonWriter.event("content_block_stop", g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_stop");
            g.writeNumberField("index", index);
            g.writeEndObject();
        });
    }

    private String blockDelta(JsonOutput.Body delta) {
        int index = openBlock;
        return AnthropicJsonWriter.event("content_block_delta", g -> {
            g.writeStartObject();
            g.writeStringField("type", "content_block_delta");
            g.writeNumberField("index", index);
            g.writeObjectFieldStart("delta");
            delta.write(g);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    @Override
    public synchronized void onFinish(StreamEnd end) {
        if (ended) {
            return;
        }
        StringBuilder events = new StringBuilder(256);
        close(events);
        String stopReason = AnthropicJsonWriter.stopReason(end.finishReason(), matchedStop, false);
        events.append(AnthropicJsonWriter.event("message_delta", g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_delta");
            g.writeObjectFieldStart("delta");
            g.writeStringField("stop_reason", stopReason);
            if ("stop_sequence".equals(stopReason)) {
                g.writeStringField("stop_sequence", matchedStop);
            } else {
                g.writeNullField("stop_sequence");
            }
            if (stopDetails != null) {
                g.writeFieldName("stop_details");
                g.writeRawValue(stopDetails);
            }
            g.writeEndObject();
            g.writeFieldName("usage");
            AnthropicJsonWriter.usage(g, end.usage(), false);
            g.writeEndObject();
        }));
        events.append(AnthropicJsonWriter.event("message_stop", g -> {
            g.writeStartObject();
            g.writeStringField("type", "message_stop");
            g.writeEndObject();
        }));
        emit(events.toString());
        end();
    }

    @Override
    public synchronized void onError(GatewayError error) {
        if (ended) {
            return;
        }
        if (start == null) {
            ended = true;
            client.detach();
            head.completeExceptionally(new GatewayException(error));
            return;
        }
        // Anthropic's way to fail a stream that has begun: an error event, after which the stream ends.
        emit(AnthropicJsonWriter.errorEvent(error));
        end();
    }

    private void end() {
        ended = true;
        stopPings.run();
        sink.tryEmitComplete();
        client.detach();
    }

    /** Calls come from the core's thread or the ping timer's; both hold this object's lock. */
    private void emit(String events) {
        sink.tryEmitNext(events);
    }

    private static void forEachObject(String jsonArray, java.util.function.Consumer<String> action) {
        if (!jsonArray.startsWith("[")) {
            return;
        }
        try (JsonParser p = Json.FACTORY.createParser(jsonArray)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                action.accept(RawJson.read(p));
            }
        } catch (IOException e) {
            throw new IllegalStateException("a backend's raw JSON array could not be read", e);
        }
    }
}
