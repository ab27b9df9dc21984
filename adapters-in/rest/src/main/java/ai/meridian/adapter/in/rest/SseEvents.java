package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import java.util.BitSet;
import java.util.Map;

/**
 * The server-sent events of one streamed answer in OpenAI's order: the first chunk carries the sources, the
 * first chunk of each choice the assistant role, then content and tool-call fragments as they come, a finish
 * chunk per choice, usage if asked for, and {@code [DONE]}. Both HTTP paths use it.
 */
final class SseEvents {
    static final String DONE = "data: [DONE]\n\n";

    private final boolean includeUsage;
    private StreamStart start;
    private boolean firstOfStream = true;
    private final BitSet choicesStarted = new BitSet();
    /** The chunk-level fields (system_fingerprint, service_tier, ...) the backend sent last; the closing chunks carry them too. */
    private Map<String, String> chunkExtra = Map.of();

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
        boolean firstOfChoice = !choicesStarted.get(delta.choice());
        choicesStarted.set(delta.choice());
        if (!delta.chunkExtra().isEmpty()) {
            chunkExtra = delta.chunkExtra();
        }
        String event = event(OpenAiJsonWriter.deltaChunk(start, delta, firstOfChoice, firstOfStream));
        firstOfStream = false;
        return event;
    }

    /** Everything after the last delta, as one piece so it leaves in one write. */
    String finish(StreamEnd end) {
        StringBuilder events = new StringBuilder(512);
        for (int choice = 0; choice < end.finishReasons().size(); choice++) {
            if (!choicesStarted.get(choice)) {
                // A choice with no output still opens with the role, as OpenAI's streams do.
                events.append(delta(Delta.empty(choice)));
            }
            events.append(event(OpenAiJsonWriter.finishChunk(start, chunkExtra, choice, end.finishReasons().get(choice), false)));
        }
        if (includeUsage) {
            events.append(event(OpenAiJsonWriter.usageChunk(start, chunkExtra, end.usage())));
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
