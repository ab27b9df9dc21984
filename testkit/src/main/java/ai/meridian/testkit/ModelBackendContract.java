package ai.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ModelBackend} adapter passes, against its own real protocol on loopback.
 * A subclass wires a backend to a scriptable fake of its upstream, configured with
 * {@link #FIRST_TOKEN_TIMEOUT}, {@link #READ_TIMEOUT} and {@link #TOTAL_TIMEOUT}, and maps each {@link Scenario} onto what
 * that upstream does for the next call.
 */
public abstract class ModelBackendContract {
    /** The first-token timeout the backend under test must be configured with. */
    public static final Duration FIRST_TOKEN_TIMEOUT = Duration.ofMillis(600);
    /** The read timeout (the longest silence between an answer's bytes or tokens) the backend under test must be configured with. */
    public static final Duration READ_TIMEOUT = Duration.ofMillis(900);
    /** The total timeout the backend under test must be configured with. */
    public static final Duration TOTAL_TIMEOUT = Duration.ofMillis(2500);

    /** What the upstream does with the next call. */
    public sealed interface Scenario {
        /** Answers with these pieces, streamed one by one when streaming. */
        record Answer(List<String> pieces) implements Scenario { }

        /** Answers with these pieces but pauses before the last one. */
        record AnswerWithPause(List<String> pieces, Duration pauseBeforeLast) implements Scenario { }

        /** The upstream's "temporarily unavailable" (HTTP 503, gRPC UNAVAILABLE). */
        record Unavailable() implements Scenario { }

        /** The upstream's "too many requests" (HTTP 429, gRPC RESOURCE_EXHAUSTED). */
        record RateLimited() implements Scenario { }

        /** The upstream's "your request is invalid" (HTTP 400, gRPC INVALID_ARGUMENT). */
        record InvalidRequest(String message) implements Scenario { }

        /** Starts a stream but sends the first token only after this delay. */
        record SlowFirstToken(Duration delay) implements Scenario { }

        /** Sends {@code afterPieces} pieces of a stream, then breaks it. */
        record CutMidStream(List<String> pieces, int afterPieces) implements Scenario { }

        /** Starts and never finishes. */
        record NeverEnds() implements Scenario { }
    }

    /** The backend under test, wired to the scriptable upstream. */
    protected abstract ModelBackend backend();

    /** A backend of the same kind pointed at an address where nothing listens. */
    protected abstract ModelBackend unreachableBackend();

    /** Makes the upstream behave so for the next call. */
    protected abstract void next(Scenario scenario);

    /** How many calls the upstream saw the client abandon (cancel or disconnect) so far. */
    protected abstract int abandonedCalls();

    /** The upstream model name the backend is called with. */
    protected String upstreamModel() {
        return "contract-model";
    }

    protected BackendCall call() {
        return new BackendCall("req-contract", upstreamModel(),
                List.of(ChatMessage.system("You are terse."), ChatMessage.user("Say hello")),
                new GenerationParams(0.2, null, 64, null, null, null, null, null, null), null);
    }

    @Test
    void completeReturnsTheWholeAnswer() throws Exception {
        next(new Scenario.Answer(List.of("Hello", ", ", "world")));
        Completion completion = backend().complete(call()).get(5, TimeUnit.SECONDS);
        assertThat(completion.content()).isEqualTo("Hello, world");
        assertThat(completion.finishReason()).isEqualTo(FinishReason.STOP);
        completion.usage().ifPresent(u -> assertThat(u.completionTokens()).isPositive());
    }

    @Test
    void streamDeliversEveryPieceInOrderThenCompletesOnce() throws Exception {
        next(new Scenario.Answer(List.of("Hel", "lo", " wor", "ld")));
        Recorder recorder = new Recorder();
        backend().stream(call(), recorder);
        recorder.awaitEnd();
        assertThat(recorder.text()).isEqualTo("Hello world");
        assertThat(recorder.completions).containsExactly(FinishReason.STOP);
        assertThat(recorder.failures).isEmpty();
        assertThat(recorder.deltas).allSatisfy(d -> assertThat(d.isEmpty()).isFalse());
    }

    @Test
    void streamForwardsPiecesAsTheyArriveNotAtTheEnd() throws Exception {
        Duration pause = Duration.ofMillis(500);
        next(new Scenario.AnswerWithPause(List.of("early", " late"), pause));
        Recorder recorder = new Recorder();
        backend().stream(call(), recorder);
        recorder.awaitEnd();
        assertThat(recorder.firstDeltaNanos).isPositive();
        assertThat(recorder.endNanos - recorder.firstDeltaNanos)
                .as("the first piece reached the listener before the upstream sent the last")
                .isGreaterThan(pause.toNanos() * 8 / 10);
    }

    @Test
    void unavailableUpstreamIsAServerErrorThatMovesOn() {
        next(new Scenario.Unavailable());
        Failure failure = failureOf(backend().complete(call()));
        assertThat(failure.kind()).isEqualTo(FailureKind.SERVER_ERROR);
        assertThat(failure.kind().movesOn()).isTrue();
    }

    @Test
    void rateLimitedUpstreamIsRateLimited() throws Exception {
        next(new Scenario.RateLimited());
        Recorder recorder = new Recorder();
        backend().stream(call(), recorder);
        recorder.awaitEnd();
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.RATE_LIMITED);
    }

    @Test
    void invalidRequestIsTheClientsErrorAndDoesNotMoveOn() {
        next(new Scenario.InvalidRequest("max_tokens is too large for this model"));
        Failure failure = failureOf(backend().complete(call()));
        assertThat(failure.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
        assertThat(failure.kind().movesOn()).isFalse();
        assertThat(failure.message()).contains("max_tokens is too large");
    }

    @Test
    void aFirstTokenLaterThanTheFirstTokenTimeoutIsATimeout() throws Exception {
        next(new Scenario.SlowFirstToken(FIRST_TOKEN_TIMEOUT.multipliedBy(4)));
        Recorder recorder = new Recorder();
        long start = System.nanoTime();
        backend().stream(call(), recorder);
        recorder.awaitEnd();
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.TIMEOUT);
        assertThat(recorder.deltas).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FIRST_TOKEN_TIMEOUT.multipliedBy(3));
    }

    @Test
    void aWholeAnswerLaterThanTheFirstTokenTimeoutIsATimeoutToo() throws Exception {
        next(new Scenario.SlowFirstToken(FIRST_TOKEN_TIMEOUT.multipliedBy(4)));
        long start = System.nanoTime();
        assertThatThrownBy(() -> backend().complete(call()).get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(BackendFailureException.class, e -> assertThat(e.failure().kind()).isEqualTo(FailureKind.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("a hung backend costs one first-token wait, not the total timeout")
                .isLessThan(FIRST_TOKEN_TIMEOUT.multipliedBy(3));
    }

    @Test
    void aStreamThatStallsAfterItsFirstTokensEndsAtTheReadTimeout() throws Exception {
        next(new Scenario.AnswerWithPause(List.of("one", " two", " three"), Duration.ofSeconds(10)));
        Recorder recorder = new Recorder();
        backend().stream(call(), recorder);
        awaitTrue(() -> recorder.text().equals("one two"), Duration.ofSeconds(3));
        long stalled = System.nanoTime();
        recorder.awaitEnd();
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.TIMEOUT);
        assertThat(recorder.completions).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - stalled)).as("the read timeout, not the total").isLessThan(TOTAL_TIMEOUT);
    }

    @Test
    void aStreamCutInTheMiddleIsAStreamCutAfterThePiecesThatArrived() throws Exception {
        next(new Scenario.CutMidStream(List.of("one", " two", " three", " four"), 2));
        Recorder recorder = new Recorder();
        backend().stream(call(), recorder);
        recorder.awaitEnd();
        assertThat(recorder.text()).isEqualTo("one two");
        assertThat(recorder.completions).isEmpty();
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.STREAM_CUT);
    }

    @Test
    void aStreamThatNeverEndsHitsTheTotalTimeout() throws Exception {
        next(new Scenario.NeverEnds());
        Recorder recorder = new Recorder();
        backend().stream(call(), recorder);
        recorder.awaitEnd();
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.TIMEOUT);
    }

    @Test
    void cancellingAStreamStopsDeliveryAndReachesTheUpstream() throws Exception {
        int abandonedBefore = abandonedCalls();
        next(new Scenario.AnswerWithPause(List.of("first", " never"), Duration.ofSeconds(2)));
        Recorder recorder = new Recorder();
        Cancellable handle = backend().stream(call(), recorder);
        awaitTrue(() -> !recorder.deltas.isEmpty(), Duration.ofSeconds(3));
        handle.cancel();
        handle.cancel();
        awaitTrue(() -> abandonedCalls() > abandonedBefore, Duration.ofSeconds(3));
        Thread.sleep(300);
        assertThat(recorder.text()).isEqualTo("first");
        assertThat(recorder.completions).isEmpty();
    }

    @Test
    void cancellingAWholeAnswerReachesTheUpstream() throws Exception {
        int abandonedBefore = abandonedCalls();
        next(new Scenario.NeverEnds());
        CompletableFuture<Completion> future = backend().complete(call());
        Thread.sleep(200);
        future.cancel(true);
        awaitTrue(() -> abandonedCalls() > abandonedBefore, Duration.ofSeconds(3));
    }

    @Test
    void anUnreachableUpstreamIsAConnectFailure() {
        try (ModelBackend unreachable = unreachableBackend()) {
            Failure failure = failureOf(unreachable.complete(call()));
            assertThat(failure.kind()).isIn(FailureKind.CONNECT, FailureKind.TIMEOUT);
            assertThat(failure.kind().movesOn()).isTrue();
        }
    }

    @Test
    void theBackendServesManyCallsInARow() throws Exception {
        for (int i = 0; i < 20; i++) {
            next(new Scenario.Answer(List.of("n", String.valueOf(i))));
            assertThat(backend().complete(call()).get(5, TimeUnit.SECONDS).content()).isEqualTo("n" + i);
        }
    }

    public static Failure failureOf(CompletableFuture<?> future) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BackendFailureException.class);
        try {
            future.get();
            throw new AssertionError("unreachable");
        } catch (ExecutionException e) {
            return ((BackendFailureException) e.getCause()).failure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** Records what a stream delivered and when. */
    public static final class Recorder implements BackendStreamListener {
        public final List<Delta> deltas = new CopyOnWriteArrayList<>();
        public final List<FinishReason> completions = new CopyOnWriteArrayList<>();
        public final List<Failure> failures = new CopyOnWriteArrayList<>();
        public final List<Optional<TokenUsage>> usages = new CopyOnWriteArrayList<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        public volatile long firstDeltaNanos;
        public volatile long endNanos;

        @Override
        public void onDelta(Delta delta) {
            if (deltas.isEmpty()) {
                firstDeltaNanos = System.nanoTime();
            }
            deltas.add(delta);
        }

        @Override
        public void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel) {
            completions.add(reason);
            usages.add(usage);
            endNanos = System.nanoTime();
            ended.countDown();
        }

        @Override
        public void onError(Failure failure) {
            failures.add(failure);
            endNanos = System.nanoTime();
            ended.countDown();
        }

        public void awaitEnd() throws InterruptedException {
            assertThat(ended.await(10, TimeUnit.SECONDS)).as("stream ended within 10 s").isTrue();
        }

        public String text() {
            StringBuilder text = new StringBuilder();
            deltas.forEach(d -> text.append(d.content()));
            return text.toString();
        }
    }
}
