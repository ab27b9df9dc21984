package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.MidStreamSwitch;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.fallback.ContinuationStyle;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.MidStreamContinuation;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.retrieval.GroundingRequest;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A backend failing after the client began to read: the next tier continues the answer, or the stream ends with an error. */
class MidStreamFallbackTest {
    private static final Failure CUT = Failure.of(FailureKind.STREAM_CUT, "connection reset");
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend primary = new ScriptedBackend("primary");
    private final ScriptedBackend secondary = new ScriptedBackend("secondary");
    private final ScriptedBackend tertiary = new ScriptedBackend("tertiary");
    private final List<String> switchesMetric = new CopyOnWriteArrayList<>();
    private final TokenCounter words = text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private ChatService service(boolean continueMidStream, Optional<String> staticAnswer) {
        FallbackPlan plan = new FallbackPlan(List.of(
                new Tier(TierRouting.weighted(Routes.of(new Route("primary", "big", 1))), RetryPolicy.NONE),
                new Tier(TierRouting.weighted(Routes.of(new Route("secondary", "small", 1))), RetryPolicy.NONE),
                new Tier(TierRouting.weighted(Routes.of(new Route("tertiary", "tiny", 1))), RetryPolicy.NONE)), staticAnswer, continueMidStream);
        ModelCatalog catalog = new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, "acme")));
        GatewayMetrics metrics = new GatewayMetrics() {
            @Override
            public void request(RequestOutcome outcome) {
            }

            @Override
            public void attempt(String backend, String outcome, long durationNanos) {
            }

            @Override
            public void timeToFirstToken(String model, String backend, long nanos) {
            }

            @Override
            public void fallback(String model, int tier, String reason) {
            }

            @Override
            public void watchCircuit(String backend, String model, java.util.function.Supplier<ai.meridian.application.port.out.CircuitState> state) {
            }

            @Override
            public void midStreamFallback(String model, String fromBackend, String toBackend, String style, String reason) {
                switchesMetric.add(model + ":" + fromBackend + "->" + toBackend + ":" + style + ":" + reason);
            }
        };
        return new ChatService(catalog, new BackendRegistry(List.of(primary, secondary, tertiary)), new CountingBreakers(), TelemetryPort.NOOP,
                metrics, words, scheduler, Clock.systemUTC(), () -> new SplittableRandom(7), List.of());
    }

    private static final ChatMessage QUESTION = ChatMessage.user("tell me a story");

    private static ChatCommand command(GenerationParams params, ToolSpec tools) {
        return new ChatCommand(new CallerContext("req-1", "default", "key", null, System.nanoTime()),
                new ChatRequest("chat", List.of(QUESTION), params, true, false, GroundingRequest.AS_CONFIGURED, tools));
    }

    private static ChatCommand command() {
        return command(GenerationParams.DEFAULTS, ToolSpec.NONE);
    }

    private static final ToolSpec WEATHER = new ToolSpec(List.of(new ToolDefinition("function", "get_weather", "Weather",
            "{\"type\":\"object\"}", "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}")), Optional.empty(), Optional.empty(), false);

    /** Collects what the client receives. */
    private static final class Client implements ChatStreamObserver {
        final List<String> events = new CopyOnWriteArrayList<>();
        final AnswerAssembler answer = new AnswerAssembler();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile StreamEnd end;
        volatile GatewayError error;

        Client awaitEnd() throws InterruptedException {
            assertThat(ended.await(5, TimeUnit.SECONDS)).as("stream ended").isTrue();
            return this;
        }

        @Override
        public void onStart(StreamStart start) {
            events.add("start " + start.servedBy().backend());
        }

        @Override
        public synchronized void onDelta(Delta delta) {
            answer.add(delta);
            events.add(delta.toolCalls().isEmpty() ? "delta " + delta.content() : "calls " + delta.toolCalls().size());
        }

        @Override
        public void onFinish(StreamEnd streamEnd) {
            end = streamEnd;
            events.add("finish " + streamEnd.finishReason().wireName());
            ended.countDown();
        }

        @Override
        public void onError(GatewayError gatewayError) {
            error = gatewayError;
            events.add("error " + gatewayError.httpStatus());
            ended.countDown();
        }
    }

    @Test
    void theNextTierContinuesFromWhatTheClientHadAndTheClientSeesOneAnswerWithAMarker() throws Exception {
        primary.failsAfter(CUT, "Once upon", " a time");
        secondary.answers(" there was", " a dragon.");
        Client client = new Client();
        service(true, Optional.empty()).stream(command(), client);
        client.awaitEnd();
        // The continuation's first characters are held until it is clear none repeats the end of the partial answer.
        assertThat(client.events).containsExactly("start primary", "delta Once upon", "delta  a time", "delta  there was a dragon.",
                "finish stop");
        assertThat(client.answer.text()).isEqualTo("Once upon a time there was a dragon.");
        assertThat(client.end.switches()).containsExactly(new MidStreamSwitch("primary", "secondary", 1, 16, "stream_cut", "prompt", 0));
        List<ChatMessage> asked = secondary.calls.get(0).messages();
        assertThat(asked).hasSize(3);
        assertThat(asked.get(0)).isEqualTo(QUESTION);
        assertThat(asked.get(1).role()).isEqualTo(Role.ASSISTANT);
        assertThat(asked.get(1).content()).isEqualTo("Once upon a time");
        assertThat(asked.get(2).content()).isEqualTo(MidStreamContinuation.INSTRUCTION);
        assertThat(switchesMetric).containsExactly("chat:primary->secondary:prompt:stream_cut");
        // The first attempt's part counted (prompt 3 + 4 words), the second reported (5 + 2).
        assertThat(client.end.usage().completionTokens()).isEqualTo(4 + 2);
    }

    @Test
    void aBackendThatTakesAnAssistantPrefixIsGivenThePartialAnswerAsAnOpenTurn() throws Exception {
        primary.failsAfter(CUT, "The answer is");
        secondary.continuation = ContinuationStyle.ASSISTANT_PREFIX;
        secondary.answers(" 42.");
        Client client = new Client();
        service(true, Optional.empty()).stream(command(), client);
        client.awaitEnd();
        assertThat(client.answer.text()).isEqualTo("The answer is 42.");
        List<ChatMessage> asked = secondary.calls.get(0).messages();
        assertThat(asked).hasSize(2);
        assertThat(asked.get(1).content()).isEqualTo("The answer is");
        assertThat(asked.get(1).extra()).containsEntry("prefix", "true");
        assertThat(client.end.switches()).singleElement().extracting(MidStreamSwitch::style).isEqualTo("prefix");
    }

    @Test
    void wordsTheContinuingModelRepeatsAreNotSentTwice() throws Exception {
        primary.failsAfter(CUT, "Once upon a time", " there was");
        secondary.answers("there", " was a dragon", " in the hills.");
        Client client = new Client();
        service(true, Optional.empty()).stream(command(), client);
        client.awaitEnd();
        assertThat(client.answer.text()).isEqualTo("Once upon a time there was a dragon in the hills.");
    }

    @Test
    void aSwitchInsideAToolCallDropsItsPiecesUnseenAndTheNextTierWritesTheCallWhole() throws Exception {
        primary.failsAfterDeltas(CUT, Delta.of("Let me check."),
                Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_A", "get_weather"))),
                Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{\"city\":\"Pa"))));
        secondary.streams(FinishReason.TOOL_CALLS, new TokenUsage(9, 6),
                Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_B", "get_weather"))),
                Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{\"city\":"))),
                Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "\"Paris\"}"))));
        Client client = new Client();
        service(true, Optional.empty()).stream(command(GenerationParams.DEFAULTS, WEATHER), client);
        client.awaitEnd();
        assertThat(client.events).containsExactly("start primary", "delta Let me check.", "calls 1", "calls 1", "calls 1", "finish tool_calls");
        assertThat(client.answer.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).as("the next tier's call, whole; none of call_A was sent").isEqualTo("call_B");
            assertThat(call.arguments()).isEqualTo("{\"city\":\"Paris\"}");
        });
        assertThat(client.end.switches()).singleElement().extracting(MidStreamSwitch::droppedToolCallPieces).isEqualTo(2);
        assertThat(secondary.calls.get(0).messages().get(1).content()).isEqualTo("Let me check.");
        assertThat(secondary.calls.get(0).tools()).isEqualTo(WEATHER);
    }

    @Test
    void toolCallsAreHeldUntilWholeAndThenSentAsTheBackendSentThem() throws Exception {
        primary.streams(FinishReason.TOOL_CALLS, new TokenUsage(9, 6),
                Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_A", "get_weather"))),
                Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{\"city\":\"Paris\"}"))));
        Client client = new Client();
        service(true, Optional.empty()).stream(command(GenerationParams.DEFAULTS, WEATHER), client);
        client.awaitEnd();
        assertThat(client.events).containsExactly("start primary", "calls 1", "calls 1", "finish tool_calls");
        assertThat(client.end.switches()).isEmpty();
    }

    @Test
    void aFailureWhileOnlyToolCallsWereHeldIsInvisible() throws Exception {
        primary.failsAfterDeltas(CUT, Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_A", "get_weather"))));
        secondary.streams(FinishReason.TOOL_CALLS, null, Delta.toolCalls(0, List.of(new ToolCallDelta(0, "call_B", "function", "get_weather", "{}"))));
        Client client = new Client();
        service(true, Optional.empty()).stream(command(GenerationParams.DEFAULTS, WEATHER), client);
        client.awaitEnd();
        assertThat(client.events).containsExactly("start secondary", "calls 1", "finish tool_calls");
        assertThat(client.end.switches()).as("nothing had reached the client: an ordinary fallback").isEmpty();
    }

    @Test
    void onceAToolCallWasSentTheAnswerIsNotContinued() throws Exception {
        primary.failsAfterDeltas(CUT, Delta.toolCalls(0, List.of(new ToolCallDelta(0, "call_A", "function", "get_weather", "{}"))),
                Delta.of("and now some text"));
        Client client = new Client();
        service(true, Optional.empty()).stream(command(GenerationParams.DEFAULTS, WEATHER), client);
        client.awaitEnd();
        assertThat(client.error.message()).contains("tool calls were already sent");
        assertThat(secondary.calls).isEmpty();
    }

    @Test
    void aContinuationThatFailsBeforeWritingIsTakenOverByTheNextTier() throws Exception {
        primary.failsAfter(CUT, "Part one,");
        secondary.fails(Failure.of(FailureKind.CONNECT, "refused"));
        tertiary.answers(" part two.");
        Client client = new Client();
        service(true, Optional.empty()).stream(command(), client);
        client.awaitEnd();
        assertThat(client.answer.text()).isEqualTo("Part one, part two.");
        assertThat(client.end.switches()).containsExactly(new MidStreamSwitch("primary", "tertiary", 2, 9, "stream_cut", "prompt", 0));
    }

    @Test
    void withNoBackendLeftOrOnlyAStaticAnswerTheStreamEndsWithAnErrorEvent() throws Exception {
        primary.failsAfter(CUT, "Part one,");
        secondary.fails(Failure.of(FailureKind.CONNECT, "refused"));
        tertiary.fails(Failure.of(FailureKind.CONNECT, "refused"));
        Client client = new Client();
        service(true, Optional.of("busy")).stream(command(), client);
        client.awaitEnd();
        assertThat(client.events).containsExactly("start primary", "delta Part one,", "error 502");
        assertThat(client.answer.text()).as("no static text after a partial answer").isEqualTo("Part one,");
    }

    @Test
    void offForTheModelTheStreamEndsWithAnErrorEventAsBefore() throws Exception {
        primary.failsAfter(CUT, "partial");
        Client client = new Client();
        service(false, Optional.empty()).stream(command(), client);
        client.awaitEnd();
        assertThat(client.events).containsExactly("start primary", "delta partial", "error 502");
        assertThat(secondary.calls).isEmpty();
    }

    @Test
    void theContinuationWritesOnlyWhatIsLeftOfMaxTokens() throws Exception {
        primary.failsAfter(CUT, "one two three");
        secondary.answers(" four");
        GenerationParams params = new GenerationParams(null, null, 10, null, null, null, null, null, null);
        Client client = new Client();
        service(true, Optional.empty()).stream(command(params, ToolSpec.NONE), client);
        client.awaitEnd();
        assertThat(secondary.calls.get(0).params().maxTokens()).isEqualTo(7);
    }

    @Test
    void aTextCompletionIsContinuedByAppendingWhatTheClientHadToItsPrompt() throws Exception {
        ai.meridian.domain.routing.ModelCapabilities text = new ai.meridian.domain.routing.ModelCapabilities(
                java.util.Set.of(ai.meridian.domain.routing.Capability.TEXT_COMPLETION), java.util.Set.of(), 0, 0, null);
        primary.withCapabilities(text).failsAfter(CUT, "def fib(n):", "\n    if n");
        secondary.withCapabilities(text).answers(" < 2:", " return n");
        ChatCommand raw = new ChatCommand(new CallerContext("req-1", "default", "key", null, System.nanoTime()),
                new ChatRequest("chat", List.of(ChatMessage.user("# Fibonacci\n")), GenerationParams.DEFAULTS, true, false,
                        GroundingRequest.AS_CONFIGURED, ToolSpec.NONE, true));
        Client client = new Client();
        service(true, Optional.empty()).stream(raw, client);
        client.awaitEnd();
        // A raw prompt has no turns: the text the client had is appended to it, and the next model writes on from there.
        assertThat(secondary.calls.get(0).textCompletion()).isTrue();
        assertThat(secondary.calls.get(0).prompts()).containsExactly("# Fibonacci\ndef fib(n):\n    if n");
        assertThat(client.answer.text()).isEqualTo("def fib(n):\n    if n < 2: return n");
        assertThat(client.end.switches()).singleElement().extracting(MidStreamSwitch::style).isEqualTo("prefix");
    }

    @Test
    void severalChoicesAreNotContinued() throws Exception {
        primary.failsAfter(CUT, "partial");
        GenerationParams two = new GenerationParams(null, null, null, null, null, null, null, null, null, 2, null, null, Map.of(), null);
        Client client = new Client();
        service(true, Optional.empty()).stream(command(two, ToolSpec.NONE), client);
        client.awaitEnd();
        assertThat(client.error.message()).contains("several choices");
        assertThat(new ArrayList<>(secondary.calls)).isEmpty();
    }
}
