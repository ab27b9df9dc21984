package ai.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.MidStreamSwitch;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamBufferPort.Limits;
import ai.meridian.application.port.out.StreamBufferPort.StreamFollower;
import ai.meridian.application.port.out.StreamBufferPort.StreamRecording;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.retrieval.Citation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StreamBufferPort} adapter must do: give a follower the start, then every event after the one it
 * had, then the live rest, in order with no gap and no duplicate, also while events are being appended; keep streams
 * apart by tenant; keep the start and a bounded tail; forget streams after their time; say whether someone follows;
 * pass a stop request to the recorder; and carry every field of every event exactly.
 */
public abstract class StreamBufferContract {

    /** The buffer under test; stream ids are unique per test, so one buffer may serve every test. */
    protected abstract StreamBufferPort buffer();

    /** How long the adapter may take to notice expiry (its sweep or the store's own expiry). */
    protected Duration expiryGrace() {
        return Duration.ofSeconds(3);
    }

    protected static final Limits ROOMY = new Limits(1_000, Duration.ofMinutes(1), Duration.ofMinutes(10));

    protected static StreamKey key(String tenant) {
        return new StreamKey(tenant, "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""));
    }

    protected static StreamEvent start(StreamKey key) {
        return new StreamEvent.Start(new StreamStart(key.streamId(), 1_700_000_000L, "chat", new ServedBy("primary", 0, "big-model"),
                List.of(new Citation(1, "Title", "https://example.com/a", "2026-01-02", "snippet \"quoted\"", "web", null),
                        new Citation(2, "KB", "kb://docs/1", "", "passage", "knowledge_base:docs", 0.75)),
                Optional.of("conv_1"), List.of("web search timed out"),
                new ai.meridian.domain.tenancy.RateLimitStatus(Optional.of(new ai.meridian.domain.tenancy.RateLimitStatus.Window(60, 59, Duration.ofSeconds(12))),
                        Optional.empty())));
    }

    protected static StreamEvent piece(int i) {
        return new StreamEvent.Piece(Delta.of("token" + i + " "));
    }

    /** A follower that keeps what it hears. */
    public static final class Heard implements StreamFollower {
        final List<Long> numbers = new ArrayList<>();
        final List<StreamEvent> events = new ArrayList<>();
        final CompletableFuture<String> ended = new CompletableFuture<>();

        public Heard() {
        }

        @Override
        public synchronized void onEvent(long number, StreamEvent event) {
            numbers.add(number);
            events.add(event);
            if (event.last()) {
                ended.complete("last");
            }
        }

        @Override
        public void onMissing() {
            ended.complete("missing");
        }

        @Override
        public void onTruncated(long firstKept) {
            ended.complete("truncated:" + firstKept);
        }

        @Override
        public void onLost(String why) {
            ended.complete("lost: " + why);
        }

        @Override
        public void onAbandoned() {
            ended.complete("abandoned");
        }

        /** Whether the follow has ended (without waiting). */
        public boolean isOver() {
            return ended.isDone();
        }

        public synchronized List<Long> numbers() {
            return List.copyOf(numbers);
        }

        public synchronized List<StreamEvent> events() {
            return List.copyOf(events);
        }

        /** How the follow ended: {@code last}, {@code missing}, {@code truncated:<first kept>}, {@code lost: <why>} or {@code abandoned}. */
        public String end() throws Exception {
            return ended.get(10, TimeUnit.SECONDS);
        }
    }

    private static void await(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + within);
            }
            Thread.sleep(5);
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> numbers = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            numbers.add(n);
        }
        return numbers;
    }

    @Test
    void aFollowerHasTheStartThenEveryEventAfterItsOwnThenTheLiveRest() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, ROOMY);
        recording.append(1, start(key));
        for (int i = 2; i <= 6; i++) {
            recording.append(i, piece(i));
        }
        Heard fromStart = new Heard();
        Heard fromFour = new Heard();
        Cancellable a = buffer().follow(key, 0, fromStart);
        Cancellable b = buffer().follow(key, 4, fromFour);
        await(() -> fromStart.numbers().size() == 6 && fromFour.numbers().size() == 3, Duration.ofSeconds(5));
        for (int i = 7; i <= 9; i++) {
            recording.append(i, piece(i));
        }
        StreamEnd end = new StreamEnd(List.of(FinishReason.STOP), new TokenUsage(5, 8));
        recording.append(10, new StreamEvent.End(end));
        recording.close();
        assertThat(fromStart.end()).isEqualTo("last");
        assertThat(fromFour.end()).isEqualTo("last");
        assertThat(fromStart.numbers()).containsExactlyElementsOf(range(1, 10));
        assertThat(fromFour.numbers()).as("the start, then after 4").containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of(1L), range(5, 10).stream()).toList());
        assertThat(fromStart.events().get(3)).isEqualTo(piece(4));
        assertThat(fromStart.events().get(9)).isEqualTo(new StreamEvent.End(end));
        a.cancel();
        b.cancel();
    }

    @Test
    void everyFieldOfEveryKindOfEventComesBackExactly() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, ROOMY);
        Delta rich = new Delta(1, "héllo \"wörld\"\n", "thinking…", List.of(new ToolCallDelta(0, "call_1", "function", "get_weather", "{\"city\":"),
                new ToolCallDelta(1, null, null, null, "\"Paris\"}")), new ToolCallDelta(0, null, null, "legacy_fn", "{}"),
                "I can't", "{\"content\":[{\"token\":\"h\",\"logprob\":-0.1}]}", FinishReason.fromWire("insufficient_system_resource"),
                Map.of("system_fingerprint", "\"fp_1\""), Map.of("matched_stop", "42"), Map.of("audio", "{\"id\":\"a\"}"));
        StreamEnd end = new StreamEnd(List.of(FinishReason.TOOL_CALLS, FinishReason.LENGTH),
                new TokenUsage(11, 22, 3, 4, Map.of("prompt_cache_hit_tokens", "3", "completion_tokens_details", "{\"reasoning_tokens\":4}")),
                List.of(new MidStreamSwitch("primary", "secondary", 1, 42, "stream_cut", "prompt", 3)));
        List<StreamEvent> sent = List.of(start(key), new StreamEvent.Piece(rich), new StreamEvent.Piece(Delta.empty(2)),
                new StreamEvent.End(end));
        for (int i = 0; i < sent.size(); i++) {
            recording.append(i + 1, sent.get(i));
        }
        Heard heard = new Heard();
        buffer().follow(key, 0, heard);
        assertThat(heard.end()).isEqualTo("last");
        assertThat(heard.events()).containsExactlyElementsOf(sent);

        StreamKey failedKey = key("acme");
        StreamRecording failed = buffer().record(failedKey, ROOMY);
        failed.append(1, start(failedKey));
        GatewayError error = new GatewayError(ErrorKind.BAD_GATEWAY, "The model backend failed in the middle of the answer", null, "upstream_error", null);
        failed.append(2, new StreamEvent.Failed(error));
        Heard heardFailure = new Heard();
        buffer().follow(failedKey, 0, heardFailure);
        assertThat(heardFailure.end()).isEqualTo("last");
        assertThat(heardFailure.events()).containsExactly(start(failedKey), new StreamEvent.Failed(error));
    }

    @Test
    void anotherTenantsStreamIdFindsNothing() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, ROOMY);
        recording.append(1, start(key));
        Heard other = new Heard();
        buffer().follow(new StreamKey("globex", key.streamId()), 0, other);
        assertThat(other.end()).isEqualTo("missing");
        Heard unknown = new Heard();
        buffer().follow(key("acme"), 0, unknown);
        assertThat(unknown.end()).isEqualTo("missing");
        assertThat(buffer().requestStop(new StreamKey("globex", key.streamId())).get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void theStartAndABoundedTailAreKeptAndOlderEventsAreSaidToBeGone() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, new Limits(5, Duration.ofMinutes(1), Duration.ofMinutes(10)));
        recording.append(1, start(key));
        for (int i = 2; i <= 20; i++) {
            recording.append(i, piece(i));
        }
        Heard tooOld = new Heard();
        buffer().follow(key, 3, tooOld);
        String end = tooOld.end();
        assertThat(end).startsWith("truncated:");
        long firstKept = Long.parseLong(end.substring("truncated:".length()));
        assertThat(firstKept).isBetween(12L, 17L);

        Heard recent = new Heard();
        Cancellable following = buffer().follow(key, 17, recent);
        await(() -> recent.numbers().size() == 4, Duration.ofSeconds(5));
        assertThat(recent.numbers()).containsExactly(1L, 18L, 19L, 20L);
        assertThat(recent.events().get(0)).isEqualTo(start(key));
        following.cancel();
    }

    @Test
    void aStreamIsForgottenAfterItsTimeAndAFinishedOneStaysThatLong() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, new Limits(100, Duration.ofMillis(300), Duration.ofMinutes(10)));
        recording.append(1, start(key));
        recording.append(2, new StreamEvent.End(new StreamEnd(List.of(FinishReason.STOP), TokenUsage.ZERO)));
        recording.close();
        Heard soon = new Heard();
        buffer().follow(key, 0, soon);
        assertThat(soon.end()).as("still kept right after the end").isEqualTo("last");
        long deadline = System.nanoTime() + Duration.ofMillis(300).plus(expiryGrace()).toNanos();
        while (true) {
            Heard later = new Heard();
            buffer().follow(key, 0, later);
            if (later.end().equals("missing")) {
                break;
            }
            assertThat(System.nanoTime()).as("forgotten within keepAfterEnd and the grace").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void aFollowerWhoHadEverythingGetsTheLastEventOnceMoreAndNothingElse() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, ROOMY);
        recording.append(1, start(key));
        recording.append(2, piece(2));
        StreamEvent last = new StreamEvent.End(new StreamEnd(List.of(FinishReason.STOP), TokenUsage.ZERO));
        recording.append(3, last);
        recording.close();
        Heard heard = new Heard();
        buffer().follow(key, 3, heard);
        assertThat(heard.end()).isEqualTo("last");
        assertThat(heard.numbers()).containsExactly(1L, 3L);
    }

    @Test
    void readersArePresentWhileSomeoneFollows() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, ROOMY);
        recording.append(1, start(key));
        assertThat(recording.readersPresent().get(5, TimeUnit.SECONDS)).isFalse();
        Heard heard = new Heard();
        Cancellable following = buffer().follow(key, 0, heard);
        await(() -> !heard.numbers().isEmpty(), Duration.ofSeconds(5));
        assertThat(recording.readersPresent().get(5, TimeUnit.SECONDS)).isTrue();
        following.cancel();
        long deadline = System.nanoTime() + expiryGrace().toNanos();
        while (recording.readersPresent().get(5, TimeUnit.SECONDS)) {
            assertThat(System.nanoTime()).as("no reader once the follower left").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aStopRequestReachesTheRecorder() throws Exception {
        StreamKey key = key("acme");
        StreamRecording recording = buffer().record(key, ROOMY);
        recording.append(1, start(key));
        CountDownLatch stopped = new CountDownLatch(1);
        recording.onStopRequested(stopped::countDown);
        assertThat(buffer().requestStop(key).get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(buffer().requestStop(key("acme")).get(5, TimeUnit.SECONDS)).as("unknown stream").isFalse();
    }

    @Test
    void followersJoiningWhileEventsAreAppendedMissNothingAndSeeNothingTwice() throws Exception {
        int streams = 20;
        int pieces = 150;
        ExecutorService writers = Executors.newFixedThreadPool(4);
        List<Heard> followers = new ArrayList<>();
        List<Long> expectedLast = new ArrayList<>();
        List<Long> afters = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        try {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                StreamKey key = key("acme");
                StreamRecording recording = buffer().record(key, ROOMY);
                recording.append(1, start(key));
                CountDownLatch halfway = new CountDownLatch(1);
                writes.add(CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 2; i <= pieces + 1; i++) {
                            recording.append(i, piece(i));
                            if (i == pieces / 3) {
                                halfway.countDown();
                            }
                            if (ThreadLocalRandom.current().nextInt(10) == 0) {
                                Thread.sleep(1);
                            }
                        }
                        recording.append(pieces + 2, new StreamEvent.End(new StreamEnd(List.of(FinishReason.STOP), TokenUsage.ZERO)));
                        recording.close();
                    } catch (InterruptedException e) {
                        failed.set(true);
                    }
                }, writers));
                halfway.await(10, TimeUnit.SECONDS);
                long after = ThreadLocalRandom.current().nextLong(0, pieces / 4);
                Heard heard = new Heard();
                buffer().follow(key, after, heard);
                followers.add(heard);
                afters.add(after);
                expectedLast.add((long) pieces + 2);
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int s = 0; s < streams; s++) {
                Heard heard = followers.get(s);
                assertThat(heard.end()).isEqualTo("last");
                List<Long> expected = new ArrayList<>();
                expected.add(1L);
                expected.addAll(range(Math.max(2, afters.get(s) + 1), expectedLast.get(s)));
                assertThat(heard.numbers()).as("stream %d followed after %d", s, afters.get(s)).containsExactlyElementsOf(expected);
            }
            assertThat(failed).isFalse();
        } finally {
            writers.shutdownNow();
        }
    }
}
