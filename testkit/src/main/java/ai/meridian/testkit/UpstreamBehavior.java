package ai.meridian.testkit;

import java.time.Duration;
import java.util.List;

/**
 * What a fake upstream does with one request: answer in pieces (with delays), fail with a status,
 * cut the connection, hang, or answer garbage. Immutable; the {@code with...} methods derive variants.
 */
public record UpstreamBehavior(
        List<String> pieces,
        int status,
        Duration retryAfter,
        String errorMessage,
        Duration firstDelay,
        Duration pieceDelay,
        Duration pauseBeforeLast,
        int cutAfterPieces,
        boolean hang,
        boolean resetBeforeResponse,
        boolean sendsGarbage,
        String finishReason,
        String rawJson,
        List<String> rawEvents,
        boolean hangAfterHead) {

    public UpstreamBehavior {
        pieces = List.copyOf(pieces);
        firstDelay = firstDelay == null ? Duration.ZERO : firstDelay;
        pieceDelay = pieceDelay == null ? Duration.ZERO : pieceDelay;
        pauseBeforeLast = pauseBeforeLast == null ? Duration.ZERO : pauseBeforeLast;
        finishReason = finishReason == null ? "stop" : finishReason;
        rawEvents = rawEvents == null ? null : List.copyOf(rawEvents);
    }

    /** Answers with these pieces: one SSE chunk each when streaming, their concatenation otherwise. */
    public static UpstreamBehavior answer(String... pieces) {
        return new UpstreamBehavior(List.of(pieces), 200, null, null, null, null, null, -1, false, false, false, null, null, null, false);
    }

    /** Fails with this HTTP status and an OpenAI-shaped error body. */
    public static UpstreamBehavior status(int status, String message) {
        return new UpstreamBehavior(List.of(), status, null, message, null, null, null, -1, false, false, false, null, null, null, false);
    }

    /** Accepts the request and never finishes the answer (a stream sends its headers and role chunk first). */
    public static UpstreamBehavior hangs() {
        return new UpstreamBehavior(List.of(), 200, null, null, null, null, null, -1, true, false, false, null, null, null, false);
    }

    /**
     * A whole answer's status line, headers and the first bytes of its body are sent, then nothing more (a
     * stream: its headers and role chunk, as {@link #hangs()}).
     */
    public static UpstreamBehavior hangsAfterHead() {
        return new UpstreamBehavior(List.of(), 200, null, null, null, null, null, -1, true, false, false, null, null, null, true);
    }

    /** Reads the request and sends nothing at all, not even a status line: a server hung before answering. */
    public static UpstreamBehavior silent() {
        return new UpstreamBehavior(List.of(), 0, null, null, null, null, null, -1, true, false, false, null, null, null, false);
    }

    /** Reads the request, then resets the connection without a response. */
    public static UpstreamBehavior resets() {
        return new UpstreamBehavior(List.of(), 200, null, null, null, null, null, -1, false, true, false, null, null, null, false);
    }

    /** Answers 200 with a body that is not valid JSON. */
    public static UpstreamBehavior garbage() {
        return new UpstreamBehavior(List.of(), 200, null, null, null, null, null, -1, false, false, true, null, null, null, false);
    }

    public UpstreamBehavior withRetryAfter(Duration value) {
        return new UpstreamBehavior(pieces, status, value, errorMessage, firstDelay, pieceDelay, pauseBeforeLast, cutAfterPieces, hang, resetBeforeResponse, sendsGarbage, finishReason, rawJson, rawEvents, hangAfterHead);
    }

    /** Delay before the first piece (a streamed answer has already sent its headers). */
    public UpstreamBehavior withFirstDelay(Duration value) {
        return new UpstreamBehavior(pieces, status, retryAfter, errorMessage, value, pieceDelay, pauseBeforeLast, cutAfterPieces, hang, resetBeforeResponse, sendsGarbage, finishReason, rawJson, rawEvents, hangAfterHead);
    }

    public UpstreamBehavior withPieceDelay(Duration value) {
        return new UpstreamBehavior(pieces, status, retryAfter, errorMessage, firstDelay, value, pauseBeforeLast, cutAfterPieces, hang, resetBeforeResponse, sendsGarbage, finishReason, rawJson, rawEvents, hangAfterHead);
    }

    public UpstreamBehavior withPauseBeforeLast(Duration value) {
        return new UpstreamBehavior(pieces, status, retryAfter, errorMessage, firstDelay, pieceDelay, value, cutAfterPieces, hang, resetBeforeResponse, sendsGarbage, finishReason, rawJson, rawEvents, hangAfterHead);
    }

    /** Sends {@code n} pieces of a stream, then resets the connection. */
    public UpstreamBehavior cutAfter(int n) {
        return new UpstreamBehavior(pieces, status, retryAfter, errorMessage, firstDelay, pieceDelay, pauseBeforeLast, n, hang, resetBeforeResponse, sendsGarbage, finishReason, rawJson, rawEvents, hangAfterHead);
    }

    public UpstreamBehavior withFinishReason(String value) {
        return new UpstreamBehavior(pieces, status, retryAfter, errorMessage, firstDelay, pieceDelay, pauseBeforeLast, cutAfterPieces, hang, resetBeforeResponse, sendsGarbage, value, rawJson, rawEvents, hangAfterHead);
    }

    /**
     * Answers exactly this: {@code json} as the body of a whole answer, or {@code events} as the {@code data:}
     * payloads of a stream (each one event, {@code [DONE]} appended) — an upstream's wire format replayed as
     * it was, tool calls, several choices, log probabilities and unknown fields included.
     */
    public static UpstreamBehavior verbatim(String json, List<String> events) {
        return new UpstreamBehavior(List.of(), 200, null, null, null, null, null, -1, false, false, false, null, json, events, false);
    }

    public String text() {
        return String.join("", pieces);
    }
}
