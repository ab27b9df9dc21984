package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayError;

/**
 * The server-sent events of one streamed answer in OpenAI's order: the first chunk carries the role and the
 * sources, then content, the finish chunk, usage if asked for, and {@code [DONE]}. Both HTTP paths use it.
 */
final class SseEvents {
    static final String DONE = "data: [DONE]\n\n";

    private final boolean includeUsage;
    private StreamStart start;
    private boolean first = true;

    SseEvents(boolean includeUsage) {
        this.includeUsage = includeUsage;
    }

    void start(StreamStart streamStart) {
        this.start = streamStart;
    }

    boolean started() {
        return start != null;
    }

    String delta(Delta delta) {
        String event = event(OpenAiJsonWriter.deltaChunk(start, delta, first));
        first = false;
        return event;
    }

    /** Everything after the last delta, as one piece so it leaves in one write. */
    String finish(FinishReason reason, TokenUsage usage) {
        StringBuilder events = new StringBuilder(512);
        if (first) {
            events.append(event(OpenAiJsonWriter.deltaChunk(start, Delta.of(""), true)));
            first = false;
        }
        events.append(event(OpenAiJsonWriter.finishChunk(start, reason)));
        if (includeUsage) {
            events.append(event(OpenAiJsonWriter.usageChunk(start, usage)));
        }
        return events.append(DONE).toString();
    }

    /** OpenAI's way to fail a stream that has begun: an error event, after which the stream ends. */
    static String error(GatewayError error) {
        return event(OpenAiJsonWriter.errorEvent(error));
    }

    /** One server-sent event; the JSON never contains a raw newline, so one data line suffices. */
    private static String event(String json) {
        return "data: " + json + "\n\n";
    }
}
