package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
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
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.retrieval.SourceDocument;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stages around the model call: what they prepare is sent, and success waits for what they record. */
class ChatStagesTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend backend = new ScriptedBackend("b");

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Adds a history message, a citation and a notice; records outcomes when its gate opens. */
    private static final class TestStage implements ChatStage {
        final List<TurnOutcome> recorded = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> recordGate = CompletableFuture.completedFuture(null);
        RuntimeException prepareFailure;

        @Override
        public CompletableFuture<ChatContext> prepare(ChatContext context) {
            if (prepareFailure != null) {
                return CompletableFuture.failedFuture(prepareFailure);
            }
            List<ChatMessage> messages = new ArrayList<>();
            messages.add(ChatMessage.user("earlier question"));
            messages.add(ChatMessage.assistant("earlier answer"));
            messages.addAll(context.messages());
            return CompletableFuture.completedFuture(context.withMessages(messages)
                    .withSources(List.of(new SourceDocument(new Citation(1, "Doc", "https://example.com/doc", "", "snippet", "web"), "the text")))
                    .withConversation("conv-1").withNotice("web search unavailable"));
        }

        @Override
        public CompletableFuture<Void> record(ChatContext context, TurnOutcome outcome) {
            return recordGate.thenRun(() -> recorded.add(outcome));
        }
    }

    private ChatService service(TestStage stage) {
        FallbackPlan plan = FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(new Route("b", "m", 1))), RetryPolicy.NONE));
        return new ChatService(new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, null))),
                new BackendRegistry(List.of(backend)), new CountingBreakers(), TelemetryPort.NOOP, GatewayMetrics.NOOP,
                text -> text.isBlank() ? 0 : text.split("\\s+").length, scheduler, Clock.systemUTC(),
                () -> new SplittableRandom(1), List.of(stage));
    }

    private static ChatCommand command(boolean stream) {
        return new ChatCommand(new CallerContext("r", "default", "k", null, System.nanoTime()),
                new ChatRequest("chat", List.of(ChatMessage.user("new question")), null, stream, false));
    }

    @Test
    void theBackendGetsThePreparedMessagesAndTheReplyCarriesSourcesConversationAndNotices() throws Exception {
        TestStage stage = new TestStage();
        backend.answers("fine");
        ChatReply reply = service(stage).complete(command(false)).get(5, TimeUnit.SECONDS);
        assertThat(backend.calls.get(0).messages()).extracting(ChatMessage::content)
                .containsExactly("earlier question", "earlier answer", "new question");
        assertThat(backend.calls.get(0).sources()).extracting(SourceDocument::text).containsExactly("the text");
        assertThat(reply.citations()).extracting(Citation::url).containsExactly("https://example.com/doc");
        assertThat(reply.conversationId()).contains("conv-1");
        assertThat(reply.notices()).containsExactly("web search unavailable");
        assertThat(stage.recorded).singleElement().satisfies(o -> {
            assertThat(o.content()).isEqualTo("fine");
            assertThat(o.whole()).isTrue();
        });
    }

    @Test
    void theReplyWaitsUntilTheTurnIsRecorded() throws Exception {
        TestStage stage = new TestStage();
        stage.recordGate = new CompletableFuture<>();
        backend.answers("fine");
        CompletableFuture<ChatReply> reply = service(stage).complete(command(false));
        Thread.sleep(100);
        assertThat(reply).as("not told success before the turn is durable").isNotDone();
        stage.recordGate.complete(null);
        assertThat(reply.get(5, TimeUnit.SECONDS).completion().content()).isEqualTo("fine");
    }

    @Test
    void aTurnThatCannotBeRecordedIsNotDelivered() {
        TestStage stage = new TestStage();
        stage.recordGate = CompletableFuture.failedFuture(new GatewayException(GatewayError.of(ErrorKind.UNAVAILABLE, "database down")));
        backend.answers("fine");
        assertThatThrownBy(() -> service(stage).complete(command(false)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                    assertThat(e.error().message()).contains("database down");
                });
    }

    @Test
    void aStageRefusingTheRequestIsTheClientsAnswer() {
        TestStage stage = new TestStage();
        stage.prepareFailure = new GatewayException(GatewayError.of(ErrorKind.NOT_FOUND, "no such conversation"));
        assertThatThrownBy(() -> service(stage).complete(command(false)).get(5, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void aStreamEndsOnlyAfterTheTurnIsRecordedAndItsFirstChunkCarriesTheSources() throws Exception {
        TestStage stage = new TestStage();
        stage.recordGate = new CompletableFuture<>();
        backend.answers("a", "b");
        Events events = new Events();
        service(stage).stream(command(true), events);
        assertThat(events.list).containsExactly("start conv-1 sources=1 notices=1", "delta a", "delta b");
        stage.recordGate.complete(null);
        assertThat(events.list).endsWith("finish stop");
        assertThat(stage.recorded).singleElement().extracting(TurnOutcome::content).isEqualTo("ab");
    }

    @Test
    void aStreamCutByTheBackendIsRecordedWithWhatItProduced() {
        TestStage stage = new TestStage();
        backend.failsAfter(Failure.of(FailureKind.STREAM_CUT, "reset"), "half", " an answer");
        Events events = new Events();
        service(stage).stream(command(true), events);
        assertThat(events.list).endsWith("error 502");
        assertThat(stage.recorded).singleElement().satisfies(o -> {
            assertThat(o.content()).isEqualTo("half an answer");
            assertThat(o.finishReason()).isEqualTo(FinishReason.ERROR);
        });
    }

    @Test
    void aStreamCancelledByTheClientIsRecordedAsCancelled() {
        TestStage stage = new TestStage();
        backend.hangs();
        Events events = new Events();
        Cancellable handle = service(stage).stream(command(true), events);
        backend.lastListener.onDelta(Delta.of("so far"));
        handle.cancel();
        assertThat(stage.recorded).singleElement().satisfies(o -> {
            assertThat(o.content()).isEqualTo("so far");
            assertThat(o.finishReason()).isEqualTo(FinishReason.CANCELLED);
        });
    }

    private static final class Events implements ChatStreamObserver {
        final List<String> list = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(StreamStart start) {
            list.add("start " + start.conversationId().orElse("-") + " sources=" + start.citations().size() + " notices=" + start.notices().size());
        }

        @Override
        public void onDelta(Delta delta) {
            list.add("delta " + delta.content());
        }

        @Override
        public void onFinish(ai.meridian.application.port.in.StreamEnd end) {
            FinishReason reason = end.finishReason();
            TokenUsage usage = end.usage();
            list.add("finish " + reason.wireName());
        }

        @Override
        public void onError(GatewayError error) {
            list.add("error " + error.httpStatus());
        }
    }

}
