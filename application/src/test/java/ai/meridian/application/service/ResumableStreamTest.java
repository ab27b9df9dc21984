package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.NumberedStreamObserver;
import ai.meridian.application.port.in.ResumeStreamUseCase.ResumeCommand;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.Role;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A streamed answer outlives its client for the resume window, and a client resumes it with no gap and no duplicate. */
class ResumableStreamTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend backend = new ScriptedBackend("primary");
    private final ListStreamBuffer buffer = new ListStreamBuffer();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private ChatService service(Duration window) {
        FallbackPlan plan = FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(new Route("primary", "big", 1))), RetryPolicy.NONE));
        return new ChatService(new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, null))),
                new BackendRegistry(List.of(backend)), new CountingBreakers(), TelemetryPort.NOOP, GatewayMetrics.NOOP,
                text -> text.isBlank() ? 0 : text.trim().split("\\s+").length, scheduler, Clock.systemUTC(),
                () -> new SplittableRandom(3), List.of(), buffer, new StreamSettings(window, 1000, Duration.ofMinutes(10)));
    }

    private static ChatCommand command(String tenant) {
        return new ChatCommand(new CallerContext("req-1", tenant, "key", null, System.nanoTime()),
                new ChatRequest("chat", List.of(ChatMessage.user("hello")), null, true, false));
    }

    /** A numbered client, as the SSE and WebSocket doors are. */
    private static final class Client implements NumberedStreamObserver {
        final List<String> events = new CopyOnWriteArrayList<>();
        volatile long next;
        volatile long window = -1;
        volatile String streamId;

        @Override
        public void onEventNumber(long number) {
            next = number;
        }

        @Override
        public void onResumable(long windowMillis) {
            window = windowMillis;
        }

        @Override
        public void onStart(StreamStart start) {
            streamId = start.id();
            events.add(next + " start");
        }

        @Override
        public void onDelta(Delta delta) {
            events.add(next + " " + delta.content());
        }

        @Override
        public void onFinish(StreamEnd end) {
            events.add(next + " finish " + end.finishReason().wireName());
        }

        @Override
        public void onError(GatewayError error) {
            events.add(next + " error " + error.httpStatus() + " " + error.code());
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void eventsAreNumberedAndAClientThatLeftMissesNothingWhenItResumes() throws Exception {
        backend.hangs();
        ChatService chat = service(Duration.ofSeconds(30));
        Client first = new Client();
        Cancellable handle = chat.stream(command("acme"), first);
        backend.lastListener.onDelta(Delta.of("one"));
        backend.lastListener.onDelta(Delta.of(" two"));
        assertThat(first.window).isEqualTo(30_000);
        assertThat(first.events).containsExactly("1 start", "2 one", "3  two");

        handle.cancel(); // the connection dropped
        backend.lastListener.onDelta(Delta.of(" three"));
        assertThat(backend.cancellations).as("the answer goes on without its client").hasValue(0);
        assertThat(first.events).as("a detached client hears nothing more").hasSize(3);

        Client again = new Client();
        StreamResumption resumption = new StreamResumption(buffer, chat.streams, GatewayMetrics.NOOP);
        Cancellable following = resumption.resume(new ResumeCommand(new CallerContext("req-2", "acme", "key", null, 0), first.streamId, 3), again);
        backend.lastListener.onDelta(Delta.of(" four"));
        backend.lastListener.onComplete(FinishReason.STOP, Optional.empty(), "m");
        await(() -> again.events.size() == 4);
        assertThat(again.events).as("the start, the missed event, the live rest").containsExactly("1 start", "4  three", "5  four", "6 finish stop");
        following.cancel();
    }

    @Test
    void aStreamNobodyResumesIsCancelledAfterTheWindow() throws Exception {
        backend.hangs();
        ChatService chat = service(Duration.ofMillis(300));
        Client client = new Client();
        Cancellable handle = chat.stream(command("acme"), client);
        backend.lastListener.onDelta(Delta.of("one"));
        long left = System.nanoTime();
        handle.cancel();
        await(() -> backend.cancellations.get() == 1);
        long took = (System.nanoTime() - left) / 1_000_000;
        assertThat(took).as("cancelled after the window, within a check").isBetween(280L, 1_500L);
        ListStreamBuffer.Recording recording = buffer.streams.get(new StreamKey("acme", client.streamId));
        // the end is recorded just after the backend is cancelled (on another thread): wait for it rather than race it
        await(() -> !recording.events().isEmpty() && recording.events().get(recording.events().size() - 1) instanceof StreamEvent.End);
        assertThat(recording.events()).last().satisfies(e ->
                assertThat(((StreamEvent.End) e).end().finishReason()).isEqualTo(FinishReason.CANCELLED));
        assertThat(client.events).as("its client had gone").containsExactly("1 start", "2 one");
    }

    @Test
    void aFollowingClientKeepsTheStreamAliveBeyondTheWindow() throws Exception {
        backend.hangs();
        ChatService chat = service(Duration.ofMillis(200));
        Client client = new Client();
        Cancellable handle = chat.stream(command("acme"), client);
        backend.lastListener.onDelta(Delta.of("one"));
        handle.cancel();
        Client again = new Client();
        new StreamResumption(buffer, chat.streams, GatewayMetrics.NOOP)
                .resume(new ResumeCommand(new CallerContext("r", "acme", "k", null, 0), client.streamId, 2), again);
        Thread.sleep(700);
        assertThat(backend.cancellations).hasValue(0);
        backend.lastListener.onComplete(FinishReason.STOP, Optional.empty(), "m");
        await(() -> again.events.size() == 2);
        assertThat(again.events).containsExactly("1 start", "3 finish stop");
    }

    @Test
    void aFollowerOfAStreamWhoseWriterDiedIsToldSoAndMayRetry() throws Exception {
        backend.hangs();
        ChatService chat = service(Duration.ofSeconds(30));
        Client client = new Client();
        chat.stream(command("acme"), client);
        backend.lastListener.onDelta(Delta.of("one"));
        Client follower = new Client();
        new StreamResumption(buffer, chat.streams, GatewayMetrics.NOOP)
                .resume(new ResumeCommand(new CallerContext("r", "acme", "k", null, 0), client.streamId, 2), follower);
        buffer.streams.values().iterator().next().abandon();
        await(() -> follower.events.size() == 2);
        assertThat(follower.events).containsExactly("1 start", "1 error 503 stream_abandoned");
    }

    private static CallerContext caller(String tenant, Role role) {
        return new CallerContext("stop", tenant, "k", null, 0, java.util.Map.of(), new Access(role, List.of(), List.of(), null, false), "");
    }

    @Test
    void aStopRequestCancelsTheUpstreamCallAndTheAttachedClientHearsTheEnd() throws Exception {
        backend.hangs();
        ChatService chat = service(Duration.ofSeconds(30));
        Client client = new Client();
        chat.stream(command("acme"), client);
        backend.lastListener.onDelta(Delta.of("one"));
        StreamResumption resumption = new StreamResumption(buffer, chat.streams, GatewayMetrics.NOOP);
        assertThat(resumption.stop(caller("globex", Role.MEMBER), client.streamId).join()).as("another tenant's stream").isFalse();
        // Stopping a stream is a write: a read-only key of the same tenant may follow it, not stop it for everyone.
        assertThat(resumption.stop(caller("acme", Role.READER), client.streamId))
                .failsWithin(Duration.ofSeconds(5)).withThrowableThat().havingCause()
                .satisfies(e -> assertThat(((GatewayException) e).error().kind()).isEqualTo(ErrorKind.PERMISSION));
        assertThat(backend.cancellations).hasValue(0);
        assertThat(resumption.stop(caller("acme", Role.MEMBER), client.streamId).join()).isTrue();
        assertThat(backend.cancellations).hasValue(1);
        assertThat(client.events).containsExactly("1 start", "2 one", "3 finish cancelled");
    }

    @Test
    void aClientLeavingBeforeTheFirstTokenCancelsAtOnce() {
        backend.hangs();
        ChatService chat = service(Duration.ofSeconds(30));
        chat.stream(command("acme"), new Client()).cancel();
        assertThat(backend.cancellations).hasValue(1);
    }

    @Test
    void anotherTenantsOrAnUnknownStreamIsNotFound() {
        backend.answers("hi");
        ChatService chat = service(Duration.ofSeconds(30));
        Client client = new Client();
        chat.stream(command("acme"), client);
        StreamResumption resumption = new StreamResumption(buffer, chat.streams, GatewayMetrics.NOOP);
        Client other = new Client();
        resumption.resume(new ResumeCommand(new CallerContext("r", "globex", "k", null, 0), client.streamId, 0), other);
        assertThat(other.events).containsExactly("0 error 404 stream_not_found");
        Client unknown = new Client();
        resumption.resume(new ResumeCommand(new CallerContext("r", "acme", "k", null, 0), "chatcmpl-nope", 0), unknown);
        assertThat(unknown.events).containsExactly("0 error 404 stream_not_found");
    }

    @Test
    void withoutAResumeWindowAClientLeavingCancelsAtOnce() {
        backend.hangs();
        ChatService chat = service(Duration.ZERO);
        Client client = new Client();
        Cancellable handle = chat.stream(command("acme"), client);
        backend.lastListener.onDelta(Delta.of("one"));
        assertThat(client.window).as("not resumable").isEqualTo(-1);
        handle.cancel();
        assertThat(backend.cancellations).hasValue(1);
        assertThat(buffer.streams).isEmpty();
    }
}
