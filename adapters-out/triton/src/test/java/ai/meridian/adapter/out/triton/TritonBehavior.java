package ai.meridian.adapter.out.triton;

import io.grpc.Status;
import java.time.Duration;
import java.util.List;

/**
 * What the fake Triton does with one inference request: answer in pieces (with delays), fail with a
 * gRPC status, report an {@code error_message} part-way, break the stream, or never finish.
 * Immutable; the {@code with...} methods derive variants.
 */
record TritonBehavior(
        List<String> pieces,
        Status.Code failWith,
        String message,
        Duration firstDelay,
        Duration pieceDelay,
        Duration pauseBeforeLast,
        int cutAfter,
        int errorAfter,
        boolean hang,
        boolean marksFinal,
        boolean closesWithoutFinal,
        boolean cumulative,
        boolean typedContents,
        java.util.function.Function<String, List<String>> byPrompt) {

    TritonBehavior {
        pieces = List.copyOf(pieces);
        firstDelay = firstDelay == null ? Duration.ZERO : firstDelay;
        pieceDelay = pieceDelay == null ? Duration.ZERO : pieceDelay;
        pauseBeforeLast = pauseBeforeLast == null ? Duration.ZERO : pauseBeforeLast;
    }

    /** Answers with these pieces: one response each when streaming, their concatenation otherwise. */
    static TritonBehavior answer(String... pieces) {
        return new TritonBehavior(List.of(pieces), null, null, null, null, null, -1, -1, false, true, false, false, false, null);
    }

    /** Fails the RPC with this status before any response. */
    static TritonBehavior status(Status.Code code, String message) {
        return new TritonBehavior(List.of(), code, message, null, null, null, -1, -1, false, true, false, false, false, null);
    }

    /** Accepts the request and never answers. */
    static TritonBehavior hangs() {
        return new TritonBehavior(List.of(), null, null, null, null, null, -1, -1, true, true, false, false, false, null);
    }

    /** Writes what the Hermes-style tool-calling model writes for the request's prompt ({@link HermesToolModel}). */
    static TritonBehavior hermesToolModel() {
        return new TritonBehavior(List.of(), null, null, null, null, null, -1, -1, false, true, false, false, false, HermesToolModel::answer);
    }

    /** The pieces this behaviour answers {@code prompt} with. */
    List<String> piecesFor(String prompt) {
        return byPrompt == null ? pieces : byPrompt.apply(prompt);
    }

    TritonBehavior withFirstDelay(Duration value) {
        return new TritonBehavior(pieces, failWith, message, value, pieceDelay, pauseBeforeLast, cutAfter, errorAfter, hang, marksFinal, closesWithoutFinal, cumulative, typedContents, byPrompt);
    }

    /** Delay between pieces after the first. */
    TritonBehavior withPieceDelay(Duration value) {
        return new TritonBehavior(pieces, failWith, message, firstDelay, value, pauseBeforeLast, cutAfter, errorAfter, hang, marksFinal, closesWithoutFinal, cumulative, typedContents, byPrompt);
    }

    TritonBehavior withPauseBeforeLast(Duration value) {
        return new TritonBehavior(pieces, failWith, message, firstDelay, pieceDelay, value, cutAfter, errorAfter, hang, marksFinal, closesWithoutFinal, cumulative, typedContents, byPrompt);
    }

    /** Sends {@code n} pieces, then breaks the RPC with UNAVAILABLE, as a dying server's connection does. */
    TritonBehavior cutAfter(int n) {
        return new TritonBehavior(pieces, failWith, message, firstDelay, pieceDelay, pauseBeforeLast, n, errorAfter, hang, marksFinal, closesWithoutFinal, cumulative, typedContents, byPrompt);
    }

    /** Sends {@code n} pieces, then a stream response with this {@code error_message}. */
    TritonBehavior errorAfter(int n, String errorMessage) {
        return new TritonBehavior(pieces, failWith, errorMessage, firstDelay, pieceDelay, pauseBeforeLast, cutAfter, n, hang, marksFinal, closesWithoutFinal, cumulative, typedContents, byPrompt);
    }

    /** Like a Triton that predates {@code triton_final_response}: no final marks, the RPC's end is the answer's end. */
    TritonBehavior withoutFinalMarks() {
        return new TritonBehavior(pieces, failWith, message, firstDelay, pieceDelay, pauseBeforeLast, cutAfter, errorAfter, hang, false, closesWithoutFinal, cumulative, typedContents, byPrompt);
    }

    /** Marks every response not final, then closes the RPC: the answer never completed. */
    TritonBehavior closingWithoutFinal() {
        return new TritonBehavior(pieces, failWith, message, firstDelay, pieceDelay, pauseBeforeLast, cutAfter, errorAfter, hang, marksFinal, true, cumulative, typedContents, byPrompt);
    }

    /** Each response repeats all text so far, as older vLLM backends did. */
    TritonBehavior cumulativeText() {
        return new TritonBehavior(pieces, failWith, message, firstDelay, pieceDelay, pauseBeforeLast, cutAfter, errorAfter, hang, marksFinal, closesWithoutFinal, true, typedContents, byPrompt);
    }

    /** Outputs in {@code contents} (bytes_contents, uint_contents) instead of raw_output_contents. */
    TritonBehavior inTypedContents() {
        return new TritonBehavior(pieces, failWith, message, firstDelay, pieceDelay, pauseBeforeLast, cutAfter, errorAfter, hang, marksFinal, closesWithoutFinal, cumulative, true, byPrompt);
    }
}
