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
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationRef;
import ai.meridian.domain.conversation.StoredTurn;
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
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The conversation stage inside the chat service: history in, turns out, and success only once they are stored. */
class ConversationStageTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend backend = new ScriptedBackend("b");
    private final InMemoryConversationStore store = new InMemoryConversationStore();
    private ChatService service;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Words are tokens here, so budgets are easy to reason about. */
    private ChatService service(ConversationSettings settings, boolean summarize) {
        FallbackPlan plan = FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(new Route("b", "m", 1))), RetryPolicy.NONE));
        ai.meridian.application.port.out.TokenCounter words = text -> text.isBlank() ? 0 : text.split("\\s+").length;
        Optional<ConversationSummarizer> summarizer = summarize
                ? Optional.of(new ConversationSummarizer(store, () -> service, "chat", 64)) : Optional.empty();
        ConversationStage stage = new ConversationStage(store, words, settings, Clock.systemUTC(), () -> new SplittableRandom(42), summarizer);
        service = new ChatService(new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, null))),
                new BackendRegistry(List.of(backend)), new CountingBreakers(), TelemetryPort.NOOP, GatewayMetrics.NOOP,
                words, scheduler, Clock.systemUTC(), () -> new SplittableRandom(1), List.of(stage));
        return service;
    }

    private ChatService service() {
        return service(ConversationSettings.DEFAULTS, false);
    }

    private static ChatCommand command(String tenant, Optional<ConversationRef> ref, boolean stream, ChatMessage... messages) {
        return new ChatCommand(new CallerContext("r", tenant, "k", null, System.nanoTime()),
                new ChatRequest("chat", List.of(messages), null, stream, false), ref);
    }

    private static Optional<ConversationRef> startNew() {
        return Optional.of(ConversationRef.startNew());
    }

    private static Optional<ConversationRef> continuing(String id) {
        return Optional.of(ConversationRef.continuing(new ConversationId(id)));
    }

    private ChatReply complete(ChatCommand command) throws Exception {
        return service.complete(command).get(5, TimeUnit.SECONDS);
    }

    @Test
    void withoutAConversationNothingIsStored() throws Exception {
        service();
        backend.answers("hi");
        ChatReply reply = complete(command("default", Optional.empty(), false, ChatMessage.user("hello")));
        assertThat(reply.conversationId()).isEmpty();
        assertThat(store.list("default", 10, Optional.empty()).get().conversations()).isEmpty();
    }

    @Test
    void aNewConversationStoresTheWholeFirstRequestAndTheAnswer() throws Exception {
        service();
        backend.answers("Paris", ".");
        ChatReply reply = complete(command("default", startNew(), false,
                ChatMessage.system("Be brief."), ChatMessage.user("Capital of France?")));
        ConversationId id = new ConversationId(reply.conversationId().orElseThrow());
        assertThat(id.value()).startsWith("conv_");
        List<StoredTurn> turns = store.turns("default", id);
        assertThat(turns).extracting(StoredTurn::seq).containsExactly(1, 2, 3);
        assertThat(turns).extracting(t -> t.turn().role()).containsExactly(Role.SYSTEM, Role.USER, Role.ASSISTANT);
        StoredTurn answer = turns.get(2);
        assertThat(answer.turn().content()).isEqualTo("Paris.");
        assertThat(answer.turn().backend()).isEqualTo("b");
        assertThat(answer.turn().model()).isEqualTo("chat");
        assertThat(answer.turn().finishReason()).contains(FinishReason.STOP);
        assertThat(answer.turn().usage()).isEqualTo(new TokenUsage(5, 2));
        assertThat(store.read("default", id).get().orElseThrow().conversation().title()).isEqualTo("Capital of France?");
    }

    @Test
    void continuingSendsTheHistoryAndAppendsOnlyTheNewTurns() throws Exception {
        service();
        backend.answers("Paris").answers("About 2 million");
        String id = complete(command("default", startNew(), false, ChatMessage.system("Be brief."), ChatMessage.user("Capital of France?")))
                .conversationId().orElseThrow();
        // The SDK resends the system prompt each time: used for this call, not stored again.
        ChatReply second = complete(command("default", continuing(id), false, ChatMessage.system("Be brief."), ChatMessage.user("Population?")));
        assertThat(second.conversationId()).contains(id);
        assertThat(backend.calls.get(1).messages()).extracting(ChatMessage::content)
                .containsExactly("Be brief.", "Capital of France?", "Paris", "Population?");
        assertThat(store.turns("default", new ConversationId(id))).extracting(t -> t.turn().content())
                .containsExactly("Be brief.", "Capital of France?", "Paris", "Population?", "About 2 million");
    }

    @Test
    void anUnknownIdOrAnotherTenantsIdIsNotFoundAndTheBackendIsNotCalled() throws Exception {
        service();
        backend.answers("secret answer");
        String id = complete(command("acme", startNew(), false, ChatMessage.user("secret"))).conversationId().orElseThrow();
        for (String tenant : List.of("default", "other")) {
            assertThatThrownBy(() -> complete(command(tenant, continuing(id), false, ChatMessage.user("show me"))))
                    .cause().isInstanceOfSatisfying(GatewayException.class, e -> {
                        assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
                        assertThat(e.error().param()).isEqualTo("conversation_id");
                        assertThat(e.error().message()).doesNotContain("secret");
                    });
        }
        assertThat(backend.calls).hasSize(1);
        assertThat(store.turns("acme", new ConversationId(id))).hasSize(2);
    }

    @Test
    void aStoreOutageBeforeTheModelIsA503WithRetryAfter() {
        service();
        store.down = true;
        assertThatThrownBy(() -> complete(command("default", continuing("conv_x"), false, ChatMessage.user("q"))))
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                    assertThat(e.error().retryAfter()).isEqualTo(Duration.ofSeconds(2));
                });
        assertThat(backend.calls).isEmpty();
    }

    @Test
    void anAnswerThatCannotBeStoredIsNotDelivered() throws Exception {
        service();
        backend.answers("first");
        String id = complete(command("default", startNew(), false, ChatMessage.user("q1"))).conversationId().orElseThrow();
        backend.hangs();
        CompletableFuture<ChatReply> reply = service.complete(command("default", continuing(id), false, ChatMessage.user("q2")));
        store.down = true; // the database fails while the model answers
        backend.lastListener.onDelta(Delta.of("never told"));
        backend.lastListener.onComplete(FinishReason.STOP, Optional.empty(), "m");
        assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE));

        store.down = false;
        backend.hangs();
        Events events = new Events();
        service.stream(command("default", continuing(id), true, ChatMessage.user("q3")), events);
        backend.lastListener.onDelta(Delta.of("streamed"));
        store.down = true;
        backend.lastListener.onComplete(FinishReason.STOP, Optional.empty(), "m");
        assertThat(events.list).containsExactly("start " + id, "delta streamed", "error 503");
        store.down = false;
        assertThat(store.turns("default", new ConversationId(id))).as("nothing half-stored").hasSize(2);
    }

    @Test
    void aStreamCutByTheClientIsStoredWithWhatItProduced() throws Exception {
        service();
        backend.answers("first");
        String id = complete(command("default", startNew(), false, ChatMessage.user("q1"))).conversationId().orElseThrow();
        backend.hangs();
        Events events = new Events();
        Cancellable handle = service.stream(command("default", continuing(id), true, ChatMessage.user("q2")), events);
        backend.lastListener.onDelta(Delta.of("partial"));
        handle.cancel();
        List<StoredTurn> turns = store.turns("default", new ConversationId(id));
        assertThat(turns).hasSize(4);
        assertThat(turns.get(3).turn().content()).isEqualTo("partial");
        assertThat(turns.get(3).turn().finishReason()).contains(FinishReason.CANCELLED);
        assertThat(events.list.get(0)).isEqualTo("start " + id);
    }

    @Test
    void historyIsTrimmedToTheModelsContextWindow() throws Exception {
        ConversationSettings small = new ConversationSettings(8192, Map.of("chat", 256), 200, Duration.ofMillis(200),
                Duration.ofSeconds(2), Optional.empty(), 64);
        service(small, false);
        String filler = "word ".repeat(40).strip();
        backend.answers(filler);
        String id = complete(command("default", startNew(), false, ChatMessage.system("sys"), ChatMessage.user("first " + filler)))
                .conversationId().orElseThrow();
        for (int i = 0; i < 3; i++) {
            backend.answers(filler);
            complete(command("default", continuing(id), false, ChatMessage.user("turn" + i + " " + filler)));
        }
        backend.answers("ok");
        ChatCommand last = new ChatCommand(new CallerContext("r", "default", "k", null, 0),
                new ChatRequest("chat", List.of(ChatMessage.user("latest")), new GenerationParams(null, null, 64, null, null, null, null, null, null),
                        false, false), continuing(id));
        complete(last);
        List<ChatMessage> sent = backend.calls.get(backend.calls.size() - 1).messages();
        assertThat(sent.get(0).content()).isEqualTo("sys");
        assertThat(sent.get(sent.size() - 1).content()).isEqualTo("latest");
        assertThat(sent.get(1).role()).isEqualTo(Role.USER);
        assertThat(sent).as("older turns dropped").hasSizeLessThan(2 + 8);
        int tokens = 3 + sent.stream().mapToInt(m -> 4 + m.content().split("\\s+").length).sum();
        assertThat(tokens).isLessThanOrEqualTo(256 - 64);
    }

    @Test
    void droppedTurnsAreFoldedIntoASummaryThatLaterRequestsGet() throws Exception {
        ConversationSettings small = new ConversationSettings(8192, Map.of("chat", 256), 200, Duration.ofMillis(200),
                Duration.ofSeconds(2), Optional.of("chat"), 64);
        service(small, true);
        String filler = "word ".repeat(50).strip();
        backend.answers(filler);
        String id = complete(command("default", startNew(), false, ChatMessage.user("first " + filler))).conversationId().orElseThrow();
        backend.answers(filler);
        complete(command("default", continuing(id), false, ChatMessage.user("second " + filler)));
        // This request drops the first exchange; the summary is asked for at once, beside the request itself.
        backend.answers("The user said first and second.").answers("ok");
        complete(command("default", continuing(id), false, ChatMessage.user("third")));
        ConversationId conversation = new ConversationId(id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.summary("default", conversation).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(store.summary("default", conversation)).hasValueSatisfying(s -> {
            assertThat(s.text()).isEqualTo("The user said first and second.");
            assertThat(s.throughSeq()).isEqualTo(2);
        });
        assertThat(backend.calls.get(2).messages().get(0).content()).isEqualTo(ConversationSummarizer.INSTRUCTION);
        assertThat(backend.calls.get(2).messages().get(1).content()).contains("User: first").doesNotContain("third");
        assertThat(backend.calls.get(3).messages()).extracting(ChatMessage::content).doesNotContain("first " + filler).endsWith("third");
        backend.answers("fine");
        complete(command("default", continuing(id), false, ChatMessage.user("fourth")));
        assertThat(backend.calls.get(4).messages().get(0).content()).endsWith("The user said first and second.");
        assertThat(store.turns("default", conversation)).as("the summary replaces nothing that is stored").hasSize(8);
    }

    private static final class Events implements ChatStreamObserver {
        final List<String> list = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(StreamStart start) {
            list.add("start " + start.conversationId().orElse("-"));
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
