package ai.meridian.adapter.in.websocket;

import ai.meridian.support.json.JsonOutput;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The JSON frames of one request on a WebSocket connection ({@code GET /v1/chat/stream}), in the order a client reads
 * them: {@code start}, then a {@code chunk} per delta (the very chat completion chunk SSE would carry: content,
 * tool-call fragments, citations on the first), then exactly one of {@code final} (finish reasons, the finish chunks,
 * usage, the mid-stream fallback marker), {@code error} (OpenAI's error object) or {@code cancelled}. Each event frame
 * carries the client's request {@code id} and the event's number {@code seq}; a resumed stream writes nothing numbered
 * at or below the event the client had. Not thread-safe: one per request, used on the connection's event loop.
 */
final class ChatWebSocketFrames {
    private final String requestId;
    private StreamStart start;
    private boolean firstOfStream = true;
    private final BitSet choicesStarted = new BitSet();
    private Map<String, String> chunkExtra = Map.of();
    private long after;

    ChatWebSocketFrames(String requestId) {
        this.requestId = requestId;
    }

    /** A resumed stream whose client had every event up to {@code lastSeq}. */
    void resumedAfter(long lastSeq) {
        after = lastSeq;
        if (lastSeq >= 2) {
            firstOfStream = false;
            choicesStarted.set(0);
        }
    }

    private static String frame(JsonOutput.Body body) {
        return JsonOutput.string(g -> {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        });
    }

    private void head(JsonGenerator g, String type, long seq) throws IOException {
        g.writeStringField("type", type);
        g.writeStringField("id", requestId);
        if (seq > 0) {
            g.writeNumberField("seq", seq);
        }
    }

    /** {@code start}: the stream's id (to resume or cancel it by), who serves it, whether it can be resumed. */
    String start(long seq, StreamStart streamStart, boolean resumable, long windowMillis) {
        this.start = streamStart;
        // The start always goes out, resumed or not: it opens the request's frames and names the stream.
        return frame(g -> {
            head(g, "start", seq);
            if (after > 0) {
                g.writeNumberField("resumed_after", after);
            }
            g.writeStringField("stream_id", streamStart.id());
            g.writeStringField("model", streamStart.model());
            g.writeNumberField("created", streamStart.created());
            g.writeStringField("backend", streamStart.servedBy().backend());
            g.writeNumberField("fallback_tier", streamStart.servedBy().tier());
            cache(g, streamStart.servedBy().cache());
            g.writeBooleanField("resumable", resumable);
            if (resumable) {
                g.writeNumberField("resume_window_ms", windowMillis);
            }
            if (streamStart.conversationId().isPresent()) {
                g.writeStringField("conversation_id", streamStart.conversationId().get());
            }
        });
    }

    /** What the response cache did, as the HTTP doors' {@code x-meridian-cache*} headers say it: {@code "cache": {"status", "level", "key", "reason"}}. */
    private static void cache(JsonGenerator g, ai.meridian.application.port.in.CacheStatus status) throws IOException {
        if (status.outcome() == ai.meridian.application.port.in.CacheStatus.Outcome.NONE) {
            return;
        }
        g.writeObjectFieldStart("cache");
        g.writeStringField("status", status.outcome().wireName());
        if (status.hit()) {
            g.writeStringField("level", status.level());
            if (status.level().equals("semantic")) {
                g.writeNumberField("similarity", status.similarity());
            }
        }
        if (!status.key().isEmpty()) {
            g.writeStringField("key", status.key());
        }
        if (!status.reason().isEmpty()) {
            g.writeStringField("reason", status.reason());
        }
        g.writeEndObject();
    }

    /** {@code chunk}: one delta as a chat completion chunk. */
    String chunk(long seq, Delta delta) {
        boolean firstOfChoice = !choicesStarted.get(delta.choice());
        choicesStarted.set(delta.choice());
        if (!delta.chunkExtra().isEmpty()) {
            chunkExtra = delta.chunkExtra();
        }
        if (seq > 0 && seq <= after) {
            firstOfStream = false;
            return "";
        }
        String chunk = OpenAiJsonWriter.deltaChunk(start, delta, firstOfChoice, firstOfStream);
        firstOfStream = false;
        return frame(g -> {
            head(g, "chunk", seq);
            g.writeFieldName("chunk");
            g.writeRawValue(chunk);
        });
    }

    /** {@code final}: the last event of an answer. A client that had it already is told so, without the content again. */
    String end(long seq, StreamEnd end) {
        if (seq > 0 && seq <= after) {
            return frame(g -> {
                head(g, "final", seq);
                g.writeBooleanField("already_received", true);
            });
        }
        int choices = end.finishReasons().size();
        List<String> chunks = new java.util.ArrayList<>(choices + 1);
        for (int choice = 0; choice < choices; choice++) {
            if (!choicesStarted.get(choice)) {
                // A choice with no output still opens with the role, as OpenAI's streams do.
                chunks.add(OpenAiJsonWriter.deltaChunk(start, Delta.empty(choice), true, firstOfStream));
                choicesStarted.set(choice);
                firstOfStream = false;
            }
            chunks.add(OpenAiJsonWriter.finishChunk(start, chunkExtra, choice, end.finishReasons().get(choice), false,
                    choice == choices - 1 ? end.switches() : List.of()));
        }
        return frame(g -> {
            head(g, "final", seq);
            g.writeArrayFieldStart("finish_reasons");
            for (var reason : end.finishReasons()) {
                g.writeString(reason.wireName());
            }
            g.writeEndArray();
            g.writeFieldName("usage");
            g.writeRawValue(OpenAiJsonWriter.usageObject(end.usage()));
            if (!end.switches().isEmpty()) {
                OpenAiJsonWriter.midStreamFallback(g, end.switches());
            }
            g.writeArrayFieldStart("chunks");
            for (String chunk : chunks) {
                g.writeRawValue(chunk);
            }
            g.writeEndArray();
        });
    }

    /** {@code error}: what went wrong, in OpenAI's error shape, with the HTTP status REST would have answered. */
    String error(long seq, GatewayError error) {
        if (seq > 0 && seq <= after) {
            return frame(g -> {
                head(g, "error", seq);
                g.writeBooleanField("already_received", true);
            });
        }
        return error(requestId, seq, error);
    }

    static String error(String requestId, long seq, GatewayError error) {
        return frame(g -> {
            g.writeStringField("type", "error");
            if (requestId == null) {
                g.writeNullField("id");
            } else {
                g.writeStringField("id", requestId);
            }
            if (seq > 0) {
                g.writeNumberField("seq", seq);
            }
            g.writeNumberField("status", error.httpStatus());
            g.writeFieldName("error");
            g.writeRawValue(OpenAiJsonWriter.errorObject(error));
        });
    }

    /** {@code cancelled}: the request with this id was cancelled at the client's asking; nothing more comes for it. */
    static String cancelled(String requestId) {
        return frame(g -> {
            g.writeStringField("type", "cancelled");
            g.writeStringField("id", requestId);
        });
    }

    static String simple(String type) {
        return frame(g -> g.writeStringField("type", type));
    }
}
