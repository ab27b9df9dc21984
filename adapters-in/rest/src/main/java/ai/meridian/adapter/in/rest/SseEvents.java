package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The server-sent events of one streamed answer in OpenAI's order: the first chunk carries the sources, the
 * first chunk of each choice the assistant role, then content and tool-call fragments as they come, a finish
 * chunk per choice (the last with the mid-stream fallback marker, if a switch happened), usage if asked for, and
 * {@code [DONE]}. Both HTTP paths and the resume endpoint use it.
 *
 * <p>Events are numbered when the core numbers them: each carries {@code id: <number>} (the finish chunk, usage and
 * {@code [DONE]} all carry the number of the stream's last event), so a client resumes with {@code Last-Event-ID}. A
 * resumed stream writes nothing numbered at or below the event the client had ({@link #resumedAfter}); had it the
 * end already, only {@code [DONE]}.
 */
final class SseEvents {
    static final String DONE = "data: [DONE]\n\n";

    private final boolean includeUsage;
    private StreamStart start;
    private boolean firstOfStream = true;
    private final BitSet choicesStarted = new BitSet();
    /** The number of the event being rendered; 0 when the stream is not numbered. */
    private long number;
    /** Events numbered at or below this were received already (a resumed stream). */
    private long after;
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

    /** The number of the event rendered next. */
    void number(long eventNumber) {
        this.number = eventNumber;
    }

    /**
     * This rendering resumes a stream whose client had every event up to {@code lastEventId}: nothing at or below it
     * is written, and what those events would have set up (the sources on the first chunk, the role on a choice's
     * first chunk) counts as sent.
     */
    void resumedAfter(long lastEventId) {
        this.after = lastEventId;
        if (lastEventId >= 2) {
            firstOfStream = false;
            choicesStarted.set(0);
        }
    }

    private boolean had() {
        return number > 0 && number <= after;
    }

    String delta(Delta delta) {
        boolean firstOfChoice = !choicesStarted.get(delta.choice());
        choicesStarted.set(delta.choice());
        if (!delta.chunkExtra().isEmpty()) {
            chunkExtra = delta.chunkExtra();
        }
        if (had()) {
            firstOfStream = false;
            return "";
        }
        String event = event(OpenAiJsonWriter.deltaChunk(start, delta, firstOfChoice, firstOfStream));
        firstOfStream = false;
        return event;
    }

    /** Everything after the last delta, as one piece so it leaves in one write. */
    String finish(StreamEnd end) {
        if (had()) {
            return DONE;
        }
        StringBuilder events = new StringBuilder(512);
        int choices = end.finishReasons().size();
        for (int choice = 0; choice < choices; choice++) {
            if (!choicesStarted.get(choice)) {
                // A choice with no output still opens with the role, as OpenAI's streams do.
                events.append(delta(Delta.empty(choice)));
            }
            events.append(event(OpenAiJsonWriter.finishChunk(start, chunkExtra, choice, end.finishReasons().get(choice), false,
                    choice == choices - 1 ? end.switches() : List.of())));
        }
        if (includeUsage) {
            events.append(event(OpenAiJsonWriter.usageChunk(start, chunkExtra, end.usage())));
        }
        return events.append(idLine()).append(DONE).toString();
    }

    /** OpenAI's way to fail a stream that has begun: an error event, after which the stream ends. */
    String errorEvent(GatewayError error) {
        return had() ? "" : event(OpenAiJsonWriter.errorEvent(error));
    }

    /** An error event without a number (a stream that was never numbered). */
    static String error(GatewayError error) {
        return "data: " + OpenAiJsonWriter.errorEvent(error) + "\n\n";
    }

    private String idLine() {
        return number > 0 ? "id: " + number + "\n" : "";
    }

    /** One server-sent event; the JSON never contains a raw newline, so one data line suffices. */
    private String event(String json) {
        return idLine() + "data: " + json + "\n\n";
    }
}
