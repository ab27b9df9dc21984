package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatServiceTest {
    private static final RetryPolicy ONE_RETRY = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(1));
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend primary = new ScriptedBackend("primary");
    private final ScriptedBackend secondary = new ScriptedBackend("secondary");
    private final CountingBreakers breakers = new CountingBreakers();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final TokenCounter words = text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private ChatService service(Optional<String> staticAnswer) {
        return service(staticAnswer, true);
    }

    private ChatService service(Optional<String> staticAnswer, boolean continueMidStream) {
        FallbackPlan plan = new FallbackPlan(List.of(
                new Tier(TierRouting.weighted(Routes.of(new Route("primary", "big", 1))), ONE_RETRY),
                new Tier(TierRouting.weighted(Routes.of(new Route("secondary", "small", 1))), RetryPolicy.NONE)), staticAnswer, continueMidStream);
        ModelCatalog catalog = new ModelCatalog(List.of(new ModelDefinition("chat", List.of("chat-alias"), plan, "acme")));
        Supplier<RandomGenerator> randoms = () -> new SplittableRandom(42);
        return new ChatService(catalog, new BackendRegistry(List.of(primary, secondary)), breakers, TelemetryPort.NOOP,
                metrics, words, scheduler, Clock.systemUTC(), randoms, List.of());
    }

    private static ChatCommand command(String model, boolean stream) {
        return new ChatCommand(new CallerContext("req-1", "default", "key", null, System.nanoTime()),
                new ChatRequest(model, List.of(ChatMessage.user("hello there")), null, stream, false));
    }

    private static ChatReply await(java.util.concurrent.CompletableFuture<ChatReply> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    @Test
    void answersFromThePrimaryWithReportedUsage() throws Exception {
        primary.answers("Hello", " world");
        ChatReply reply = await(service(Optional.empty()).complete(command("chat-alias", false)));
        assertThat(reply.completion().content()).isEqualTo("Hello world");
        assertThat(reply.model()).isEqualTo("chat");
        assertThat(reply.servedBy()).isEqualTo(new ServedBy("primary", 0, "primary-model"));
        assertThat(reply.usage()).isEqualTo(new TokenUsage(5, 2));
        assertThat(reply.id()).startsWith("chatcmpl-").hasSize(33);
        assertThat(primary.calls.get(0).upstreamModel()).isEqualTo("big");
        assertThat(metrics.outcomes).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(200);
            assertThat(o.backend()).isEqualTo("primary");
            assertThat(o.overheadNanos()).isLessThanOrEqualTo(o.durationNanos());
        });
    }

    @Test
    void retriesThenFallsBackToTheNextTier() throws Exception {
        primary.fails(Failure.ofStatus(500, "boom", null)).fails(Failure.of(FailureKind.CONNECT, "refused"));
        secondary.answers("from", " secondary");
        ChatReply reply = await(service(Optional.empty()).complete(command("chat", false)));
        assertThat(reply.completion().content()).isEqualTo("from secondary");
        assertThat(reply.servedBy().tier()).isEqualTo(1);
        assertThat(primary.calls).hasSize(2);
        assertThat(breakers.gate("primary").failures).isEqualTo(2);
        assertThat(breakers.gate("secondary").successes).isEqualTo(1);
        assertThat(metrics.fallbacks).containsExactly("chat@1:connect");
    }

    @Test
    void aClientErrorFromTheUpstreamIsNotRetriedElsewhere() {
        primary.fails(Failure.ofStatus(400, "max_tokens is too large", null));
        var future = service(Optional.of("static")).complete(command("chat", false));
        assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.error().message()).contains("max_tokens is too large");
                });
        assertThat(secondary.calls).isEmpty();
        assertThat(breakers.gate("primary").failures).as("the backend is healthy").isZero();
    }

    @Test
    void withNoTierLeftTheClientGetsTheRightError() {
        primary.fails(Failure.of(FailureKind.TIMEOUT, "slow")).fails(Failure.of(FailureKind.TIMEOUT, "slow"));
        secondary.fails(Failure.of(FailureKind.TIMEOUT, "slow"));
        var future = service(Optional.empty()).complete(command("chat", false));
        assertThatThrownBy(() -> await(future)).cause().isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.TIMEOUT));
        assertThat(metrics.outcomes).singleElement().extracting(GatewayMetrics.RequestOutcome::status).isEqualTo(504);
    }

    @Test
    void theStaticAnswerIsTheLastTier() throws Exception {
        primary.fails(Failure.of(FailureKind.SERVER_ERROR, "x")).fails(Failure.of(FailureKind.SERVER_ERROR, "x"));
        secondary.fails(Failure.of(FailureKind.SERVER_ERROR, "x"));
        ChatReply reply = await(service(Optional.of("Try again later")).complete(command("chat", false)));
        assertThat(reply.completion().content()).isEqualTo("Try again later");
        assertThat(reply.servedBy()).isEqualTo(new ServedBy("static", 2, "static"));
        assertThat(reply.usage().completionTokens()).isEqualTo(3);
    }

    @Test
    void anOpenCircuitIsSkippedWithoutCallingTheBackend() throws Exception {
        breakers.gate("primary").open = true;
        secondary.answers("ok");
        ChatReply reply = await(service(Optional.empty()).complete(command("chat", false)));
        assertThat(reply.servedBy().backend()).isEqualTo("secondary");
        assertThat(primary.calls).isEmpty();
    }

    @Test
    void usageIsCountedWhenTheBackendDoesNotReportIt() throws Exception {
        primary.answersWithoutUsage("one two three four");
        ChatReply reply = await(service(Optional.empty()).complete(command("chat", false)));
        assertThat(reply.usage().completionTokens()).isEqualTo(4);
        assertThat(reply.usage().promptTokens()).isEqualTo(3 + 4 + 2);
    }

    @Test
    void anUnknownModelIsModelNotFound() {
        var future = service(Optional.empty()).complete(command("gpt-17", false));
        assertThatThrownBy(() -> await(future)).cause().isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.error().kind()).isEqualTo(ErrorKind.MODEL_NOT_FOUND);
            assertThat(e.error().param()).isEqualTo("model");
        });
    }

    @Test
    void aStreamThatFailsBeforeItsFirstTokenIsServedByTheNextTierTransparently() throws InterruptedException {
        primary.fails(Failure.of(FailureKind.STREAM_CUT, "cut")).failsAfter(Failure.of(FailureKind.STREAM_CUT, "cut"));
        secondary.answers("a", "b", "c");
        RecordingObserver observer = new RecordingObserver();
        service(Optional.empty()).stream(command("chat", true), observer);
        observer.awaitEnd();
        assertThat(observer.events).containsExactly("start secondary@1", "delta a", "delta b", "delta c", "finish stop 5/3");
    }

    @Test
    void aStreamThatFailsAfterItsFirstTokenEndsWithAnErrorWhenMidStreamFallbackIsOff() {
        primary.failsAfter(Failure.of(FailureKind.STREAM_CUT, "connection reset"), "partial");
        RecordingObserver observer = new RecordingObserver();
        service(Optional.empty(), false).stream(command("chat", true), observer);
        assertThat(observer.events).containsExactly("start primary@0", "delta partial", "error 502");
        assertThat(secondary.calls).as("no fallback once output began").isEmpty();
    }

    @Test
    void cancellingAStreamCancelsTheBackendCallAndSilencesIt() {
        primary.hangs();
        RecordingObserver observer = new RecordingObserver();
        Cancellable handle = service(Optional.empty()).stream(command("chat", true), observer);
        primary.lastListener.onDelta(Delta.of("first"));
        handle.cancel();
        primary.lastListener.onDelta(Delta.of("late"));
        primary.lastListener.onComplete(FinishReason.STOP, Optional.empty(), "");
        assertThat(primary.cancellations).hasValue(1);
        assertThat(observer.events).containsExactly("start primary@0", "delta first");
        assertThat(breakers.gate("primary").releases).isEqualTo(1);
        assertThat(metrics.outcomes).singleElement().extracting(GatewayMetrics.RequestOutcome::status).isEqualTo(499);
    }

    @Test
    void cancellingAWholeRequestCancelsTheBackendCall() {
        primary.hangs();
        var future = service(Optional.empty()).complete(command("chat", false));
        future.cancel(true);
        assertThat(primary.cancellations).hasValue(1);
        assertThat(secondary.calls).as("a cancelled request does not fall back").isEmpty();
    }

    @Test
    void aStreamForAnUnknownModelFailsBeforeStarting() {
        RecordingObserver observer = new RecordingObserver();
        service(Optional.empty()).stream(command("nope", true), observer);
        assertThat(observer.events).containsExactly("error 404");
    }

    @Test
    void modelsListIdsAndAliases() {
        ChatService service = service(Optional.empty());
        assertThat(service.listModels()).extracting(m -> m.id() + ":" + m.aliasOf()).containsExactly("chat:null", "chat-alias:chat");
        assertThat(service.findModel("chat-alias")).isPresent();
        assertThat(service.findModel("other")).isEmpty();
    }

    @Test
    void startUpRefusesRoutesToUnknownBackends() {
        FallbackPlan plan = FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(new Route("ghost", "m", 1))), RetryPolicy.NONE));
        ModelCatalog catalog = new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, null)));
        assertThatThrownBy(() -> new ChatService(catalog, new BackendRegistry(List.of(primary)), breakers, TelemetryPort.NOOP,
                metrics, words, scheduler, Clock.systemUTC(), () -> new SplittableRandom(1), List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ghost");
    }

    private static final class RecordingObserver implements ChatStreamObserver {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

        RecordingObserver awaitEnd() throws InterruptedException {
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("stream ended").isTrue();
            return this;
        }

        @Override
        public void onStart(StreamStart start) {
            events.add("start " + start.servedBy().backend() + "@" + start.servedBy().tier());
        }

        @Override
        public void onDelta(Delta delta) {
            events.add("delta " + delta.content());
        }

        @Override
        public void onFinish(ai.meridian.application.port.in.StreamEnd end) {
            FinishReason reason = end.finishReason();
            TokenUsage usage = end.usage();
            events.add("finish " + reason.wireName() + " " + usage.promptTokens() + "/" + usage.completionTokens());
            ended.countDown();
        }

        @Override
        public void onError(GatewayError error) {
            events.add("error " + error.httpStatus());
            ended.countDown();
        }
    }

    private static final class RecordingMetrics implements GatewayMetrics {
        final List<RequestOutcome> outcomes = new ArrayList<>();
        final List<String> fallbacks = new ArrayList<>();

        @Override
        public synchronized void request(RequestOutcome outcome) {
            outcomes.add(outcome);
        }

        @Override
        public void attempt(String backend, String outcome, long durationNanos) {
        }

        @Override
        public void timeToFirstToken(String model, String backend, long nanos) {
        }

        @Override
        public synchronized void fallback(String model, int tier, String reason) {
            fallbacks.add(model + "@" + tier + ":" + reason);
        }

        @Override
        public void watchCircuit(String backend, String model, java.util.function.Supplier<ai.meridian.application.port.out.CircuitState> state) {
        }
    }
}
