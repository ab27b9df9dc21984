package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ResponseCommand;
import ai.meridian.application.port.in.ResponseReply;
import ai.meridian.application.port.in.ResponseStart;
import ai.meridian.application.port.in.ResponseStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Responses on the chat core: a chain continues a conversation within the tenant (instructions are not inherited), a
 * response is stored before it is delivered, failures to store are the client's 503, streams end only once stored,
 * {@code truncation: auto} drops the oldest history, and reads and deletes see only the caller's tenant.
 */
class ResponseServiceTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend backend = new ScriptedBackend("llm");
    private final InMemoryResponseStore store = new InMemoryResponseStore();
    private final ResponseService responses;

    ResponseServiceTest() {
        FallbackPlan plan = FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(new Route("llm", "m", 1))), RetryPolicy.NONE));
        ChatService chat = new ChatService(new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, "x"))),
                new BackendRegistry(List.of(backend)), new CountingBreakers(), TelemetryPort.NOOP, GatewayMetrics.NOOP,
                text -> text.isBlank() ? 0 : text.trim().split("\\s+").length, scheduler, Clock.systemUTC(), () -> new SplittableRandom(3), List.of());
        responses = new ResponseService(chat, store, text -> text.isBlank() ? 0 : text.trim().split("\\s+").length,
                new ResponseSettings(100, model -> 300, Duration.ofMillis(200), Duration.ofSeconds(2)), TelemetryPort.NOOP, Clock.systemUTC(),
                () -> new SplittableRandom());
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static CallerContext caller(String tenant) {
        return new CallerContext("req-r", tenant, "key", null, System.nanoTime());
    }

    private static ResponseCommand command(String tenant, String instructions, String input, String previous, boolean store, boolean stream) {
        List<ChatMessage> messages = new java.util.ArrayList<>();
        if (instructions != null) {
            messages.add(ChatMessage.system(instructions));
        }
        messages.add(ChatMessage.user(input));
        return new ResponseCommand(caller(tenant), new ChatRequest("chat", messages, GenerationParams.DEFAULTS, stream, false),
                instructions == null ? 0 : 1, Optional.ofNullable(previous), store, false, "{\"echo\":1}");
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aResponseIsStoredWithItsInputAndAnswerButNotItsInstructions() throws Exception {
        backend.answers("Hello", " there");
        ResponseReply reply = get(responses.create(command("t1", "Be brief.", "Hi", null, true, false)));
        StoredResponse response = reply.response();
        assertThat(reply.stored()).isTrue();
        assertThat(response.id().value()).startsWith("resp_");
        assertThat(response.status()).isEqualTo(ResponseStatus.COMPLETED);
        assertThat(response.input()).containsExactly(ChatMessage.user("Hi"));
        assertThat(response.output()).hasValueSatisfying(m -> assertThat(m.content()).isEqualTo("Hello there"));
        assertThat(response.usage()).isEqualTo(new TokenUsage(5, 2));
        assertThat(response.attributes()).isEqualTo("{\"echo\":1}");
        assertThat(get(responses.read(caller("t1"), response.id().value()))).isEqualTo(response);
        assertThat(backend.calls.get(0).messages()).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
    }

    @Test
    void aChainContinuesTheConversationWithoutInheritingInstructions() throws Exception {
        backend.answers("Paris.").answers("About 2 million.");
        StoredResponse first = get(responses.create(command("t1", "Answer in one word.", "Capital of France?", null, true, false))).response();
        StoredResponse second = get(responses.create(command("t1", "Be exact.", "Its population?", first.id().value(), true, false))).response();
        assertThat(second.previous()).contains(first.id());
        assertThat(backend.calls.get(1).messages()).containsExactly(ChatMessage.system("Be exact."), ChatMessage.user("Capital of France?"),
                ChatMessage.assistant("Paris."), ChatMessage.user("Its population?"));
        assertThat(second.input()).containsExactly(ChatMessage.user("Its population?"));
    }

    @Test
    void anUnknownOrForeignPreviousResponseIsA404NamingTheParameter() throws Exception {
        backend.answers("a");
        StoredResponse mine = get(responses.create(command("t1", null, "q", null, true, false))).response();
        for (String previous : List.of(mine.id().value(), "resp_00000000000000000000000000000000", "not-an-id")) {
            var future = responses.create(command("t2", null, "q", previous, true, false));
            assertThatThrownBy(() -> get(future)).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
                        assertThat(e.error().param()).isEqualTo("previous_response_id");
                        assertThat(e.error().code()).isEqualTo("previous_response_not_found");
                    });
        }
        assertThat(backend.calls).hasSize(1);
        assertThatThrownBy(() -> get(responses.read(caller("t2"), mine.id().value()))).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThatThrownBy(() -> get(responses.delete(caller("t2"), mine.id().value()))).cause().isInstanceOf(GatewayException.class);
        get(responses.delete(caller("t1"), mine.id().value()));
        assertThatThrownBy(() -> get(responses.read(caller("t1"), mine.id().value()))).cause().isInstanceOf(GatewayException.class);
    }

    @Test
    void withoutStoreNothingIsKeptAndNothingCanContinueIt() throws Exception {
        backend.answers("a");
        ResponseReply reply = get(responses.create(command("t1", null, "q", null, false, false)));
        assertThat(reply.stored()).isFalse();
        assertThat(get(store.find("t1", reply.response().id()))).isEmpty();
        assertThatThrownBy(() -> get(responses.create(command("t1", null, "q", reply.response().id().value(), true, false))))
                .cause().isInstanceOf(GatewayException.class);
    }

    @Test
    void aResponseThatCannotBeStoredIsNotDeliveredButA503() {
        backend.answers("lost");
        store.down = true;
        var future = responses.create(command("t1", null, "q", null, true, false));
        assertThatThrownBy(() -> get(future)).cause().isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
            assertThat(e.error().retryAfter()).isEqualTo(Duration.ofSeconds(2));
        });
    }

    @Test
    void truncationAutoDropsTheOldestHistoryNeverStartingWithAnAnswer() throws Exception {
        String many = "word ".repeat(60);
        backend.answers(many).answers(many).answers(many).answers("ok");
        String previous = null;
        for (int i = 0; i < 3; i++) {
            previous = get(responses.create(command("t1", null, "question " + i + " " + many, previous, true, false))).response().id().value();
        }
        ResponseCommand truncated = new ResponseCommand(caller("t1"), new ChatRequest("chat", List.of(ChatMessage.user("last")),
                GenerationParams.DEFAULTS, false, false), 0, Optional.of(previous), true, true, null);
        get(responses.create(truncated));
        List<ChatMessage> sent = backend.calls.get(3).messages();
        assertThat(sent.size()).as("the window (300 tokens, 75 for the answer) holds one exchange").isEqualTo(3);
        assertThat(sent.get(0).role()).isEqualTo(Role.USER);
        assertThat(sent.get(0).content()).startsWith("question 2");
        assertThat(sent.get(sent.size() - 1)).isEqualTo(ChatMessage.user("last"));
    }

    @Test
    void reasoningGoesBackOnlyWithToolCalls() throws Exception {
        backend.answers("plain");
        StoredResponse withReasoning = get(responses.create(command("t1", null, "q", null, true, false))).response();
        StoredResponse thinking = new StoredResponse(ai.meridian.domain.response.ResponseId.generate(new SplittableRandom()), Optional.empty(),
                "chat", java.time.Instant.now(), ResponseStatus.COMPLETED, List.of(ChatMessage.user("q")),
                Optional.of(ChatMessage.builder(Role.ASSISTANT).content("").contentNull(false).reasoningContent("think")
                        .toolCalls(List.of(ai.meridian.domain.chat.ToolCall.function("c1", "f", "{}"))).build()),
                Optional.of(FinishReason.TOOL_CALLS), TokenUsage.ZERO, List.of(), List.of(), Optional.empty(), null);
        assertThat(thinking.conversation().get(1).reasoningContent()).isEqualTo("think");
        StoredResponse musing = new StoredResponse(withReasoning.id(), Optional.empty(), "chat", java.time.Instant.now(), ResponseStatus.COMPLETED,
                List.of(ChatMessage.user("q")), Optional.of(ChatMessage.builder(Role.ASSISTANT).content("a").reasoningContent("think").build()),
                Optional.of(FinishReason.STOP), TokenUsage.ZERO, List.of(), List.of(), Optional.empty(), null);
        assertThat(musing.conversation().get(1).reasoningContent()).isNull();
    }

    @Test
    void aStreamEndsOnlyOnceTheResponseIsStoredAndCarriesTheAssembledAnswer() throws Exception {
        backend.answers("Hel", "lo");
        Recorder recorder = new Recorder();
        responses.stream(command("t1", null, "Hi", null, true, true), recorder);
        recorder.await();
        assertThat(recorder.events).containsExactly("start", "delta Hel", "delta lo", "finish stop");
        StoredResponse finished = recorder.finished;
        assertThat(finished.output().orElseThrow().content()).isEqualTo("Hello");
        assertThat(get(store.find("t1", finished.id()))).contains(finished);
        assertThat(recorder.start.id()).isEqualTo(finished.id());
    }

    @Test
    void aStreamedToolCallIsStoredAsTheAnswersCall() throws Exception {
        backend.calls.clear();
        ScriptedBackend tools = backend;
        tools.script(listener -> {
            listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_9", "weather"))));
            listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{\"city\":\"Oslo\"}"))));
            listener.onComplete(FinishReason.TOOL_CALLS, Optional.empty(), "m");
        });
        Recorder recorder = new Recorder();
        responses.stream(command("t1", null, "Weather?", null, true, true), recorder);
        recorder.await();
        ChatMessage answer = recorder.finished.output().orElseThrow();
        assertThat(answer.contentNull()).isTrue();
        assertThat(answer.toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("call_9");
            assertThat(c.arguments()).isEqualTo("{\"city\":\"Oslo\"}");
        });
        assertThat(recorder.finished.status()).isEqualTo(ResponseStatus.COMPLETED);
    }

    @Test
    void aStreamThatCannotBeStoredEndsWithA503InsteadOfFinishing() throws Exception {
        backend.answers("x");
        store.down = true;
        Recorder recorder = new Recorder();
        responses.stream(command("t1", null, "Hi", null, true, true), recorder);
        recorder.await();
        assertThat(recorder.events).containsExactly("start", "delta x", "error 503");
    }

    @Test
    void aStreamCutByTheBackendIsKeptAsFailedWithWhatItSaid() throws Exception {
        backend.failsAfter(Failure.of(FailureKind.STREAM_CUT, "reset"), "partial");
        Recorder recorder = new Recorder();
        responses.stream(command("t1", null, "Hi", null, true, true), recorder);
        recorder.await();
        assertThat(recorder.events).containsExactly("start", "delta partial", "error 502");
        StoredResponse failed = awaitStored("t1", recorder.start.id());
        assertThat(failed.status()).isEqualTo(ResponseStatus.FAILED);
        assertThat(failed.failure()).hasValueSatisfying(f -> assertThat(f.code()).isEqualTo("server_error"));
        assertThat(failed.output().orElseThrow().content()).isEqualTo("partial");
    }

    private StoredResponse awaitStored(String tenant, ai.meridian.domain.response.ResponseId id) throws Exception {
        for (int i = 0; i < 100; i++) {
            Optional<StoredResponse> found = get(store.find(tenant, id));
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not stored: " + id);
    }

    private static final class Recorder implements ResponseStreamObserver {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile ResponseStart start;
        volatile StoredResponse finished;

        void await() throws InterruptedException {
            assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void onStart(ResponseStart start) {
            this.start = start;
            events.add("start");
        }

        @Override
        public void onDelta(Delta delta) {
            if (!delta.content().isEmpty()) {
                events.add("delta " + delta.content());
            }
        }

        @Override
        public void onFinish(StreamEnd end, StoredResponse response) {
            finished = response;
            events.add("finish " + end.finishReason());
            ended.countDown();
        }

        @Override
        public void onError(GatewayError error) {
            events.add("error " + error.httpStatus());
            ended.countDown();
        }
    }
}
