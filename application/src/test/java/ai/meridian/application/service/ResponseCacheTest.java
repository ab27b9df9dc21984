package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.CacheDirective;
import ai.meridian.application.port.in.CacheStatus;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.GatewayError;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The response cache in the core: what is kept, what is replayed (whole and as a stream), and what is bypassed. */
class ResponseCacheTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend backend = new ScriptedBackend("b");
    private final ScriptedBackend lighter = new ScriptedBackend("light");
    private final MapResponseCache l1 = new MapResponseCache();
    private final MapResponseCache l2 = new MapResponseCache();
    private final List<String> notices = new ArrayList<>();
    private final List<SourceDocument> sources = new ArrayList<>();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** Stands for grounding: adds sources and notices as a test sets them, unless the cache already answered. */
    private final ChatStage grounding = new ChatStage() {
        @Override
        public CompletableFuture<ChatContext> prepare(ChatContext context) {
            if (context.cache().hit().isPresent()) {
                return CompletableFuture.completedFuture(context);
            }
            ChatContext grounded = context.withSources(sources);
            for (String notice : notices) {
                grounded = grounded.withNotice(notice);
            }
            return CompletableFuture.completedFuture(grounded);
        }
    };

    private ChatService service(CacheSettings settings, boolean shared) {
        FallbackPlan plan = new FallbackPlan(List.of(new Tier(TierRouting.weighted(Routes.of(new Route("b", "m", 1))), RetryPolicy.NONE),
                new Tier(TierRouting.weighted(Routes.of(new Route("light", "small", 1))), RetryPolicy.NONE)), Optional.empty());
        ResponseCache cache = new ResponseCache(l1, shared ? Optional.of(l2) : Optional.empty(), Duration.ofSeconds(1), Duration.ofMinutes(5),
                GatewayMetrics.NOOP, Clock.systemUTC());
        CacheStage stage = new CacheStage(cache, settings, Optional.empty(), GatewayMetrics.NOOP, Clock.systemUTC());
        return new ChatService(new ModelCatalog(List.of(new ModelDefinition("chat", List.of(), plan, null))),
                new BackendRegistry(List.of(backend, lighter)), new CountingBreakers(), TelemetryPort.NOOP, GatewayMetrics.NOOP,
                text -> text.isBlank() ? 0 : text.split("\\s+").length, scheduler, Clock.systemUTC(), () -> new SplittableRandom(1),
                List.of(stage, grounding));
    }

    private static CacheSettings on() {
        return new CacheSettings(true, Duration.ofHours(1), Duration.ofDays(1), Duration.ofMinutes(10), Duration.ofMinutes(5), true, "r",
                Map.of(), Map.of(), CacheSettings.Semantic.OFF);
    }

    private static ChatCommand command(String question, Double temperature, boolean stream, CacheDirective directive) {
        GenerationParams params = new GenerationParams(temperature, null, null, List.of(), null, null, null, null, null);
        return new ChatCommand(new CallerContext("r", "acme", "k", null, System.nanoTime()).withCache(directive),
                new ChatRequest("chat", List.of(ChatMessage.user(question)), params, stream, false));
    }

    private static ChatCommand deterministic(String question, boolean stream) {
        return command(question, 0.0, stream, CacheDirective.DEFAULT);
    }

    private static ChatReply complete(ChatService service, ChatCommand command) throws Exception {
        return service.complete(command).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aDeterministicAnswerIsKeptAndTheSameRequestIsAnsweredFromTheCache() throws Exception {
        ChatService service = service(on(), false);
        backend.answers("Paris", " is the capital.");
        ChatReply first = complete(service, deterministic("capital of France?", false));
        assertThat(first.servedBy().cache().outcome()).isEqualTo(CacheStatus.Outcome.MISS);
        assertThat(first.servedBy().cache().key()).hasSize(64);
        ChatReply second = complete(service, deterministic("capital of France?", false));
        assertThat(backend.calls).hasSize(1);
        assertThat(second.servedBy().backend()).isEqualTo(ServedBy.CACHE_BACKEND);
        assertThat(second.servedBy().cache()).satisfies(c -> {
            assertThat(c.hit()).isTrue();
            assertThat(c.level()).isEqualTo("l1");
            assertThat(c.key()).isEqualTo(first.servedBy().cache().key());
        });
        assertThat(second.completion().content()).isEqualTo("Paris is the capital.");
        assertThat(second.usage()).as("the tokens the answer had").isEqualTo(first.usage());
        assertThat(second.id()).isNotEqualTo(first.id());
        // a different question misses
        backend.answers("Madrid");
        assertThat(complete(service, deterministic("capital of Spain?", false)).completion().content()).isEqualTo("Madrid");
        assertThat(backend.calls).hasSize(2);
    }

    @Test
    void aSampledRequestBypassesTheCacheUnlessTheClientAsksForIt() throws Exception {
        ChatService service = service(on(), false);
        backend.answers("one").answers("two");
        assertThat(complete(service, command("q", 0.7, false, CacheDirective.DEFAULT)).servedBy().cache())
                .isEqualTo(CacheStatus.bypass("not_deterministic"));
        assertThat(complete(service, command("q", null, false, CacheDirective.DEFAULT)).completion().content()).isEqualTo("two");
        assertThat(backend.calls).hasSize(2);
        backend.answers("kept");
        CacheDirective use = CacheDirective.of(CacheDirective.Mode.USE);
        assertThat(complete(service, command("q", 0.7, false, use)).servedBy().cache().outcome()).isEqualTo(CacheStatus.Outcome.MISS);
        assertThat(complete(service, command("q", 0.7, false, use)).completion().content()).isEqualTo("kept");
        assertThat(backend.calls).hasSize(3);
    }

    @Test
    void bypassNeitherReadsNorWritesAndRefreshReplacesTheEntry() throws Exception {
        ChatService service = service(on(), false);
        backend.answers("old").answers("bypassed").answers("new");
        complete(service, deterministic("q", false));
        ChatReply bypassed = complete(service, command("q", 0.0, false, CacheDirective.of(CacheDirective.Mode.BYPASS)));
        assertThat(bypassed.completion().content()).isEqualTo("bypassed");
        assertThat(bypassed.servedBy().cache()).isEqualTo(CacheStatus.bypass("requested"));
        assertThat(complete(service, deterministic("q", false)).completion().content()).isEqualTo("old");
        ChatReply refreshed = complete(service, command("q", 0.0, false, CacheDirective.of(CacheDirective.Mode.REFRESH)));
        assertThat(refreshed.completion().content()).isEqualTo("new");
        assertThat(refreshed.servedBy().cache().outcome()).isEqualTo(CacheStatus.Outcome.MISS);
        assertThat(complete(service, deterministic("q", false)).completion().content()).isEqualTo("new");
        assertThat(backend.calls).hasSize(3);
    }

    @Test
    void maxAgeRefusesAnOlderEntry() throws Exception {
        ChatService service = service(on(), false);
        backend.answers("old").answers("fresh");
        complete(service, deterministic("q", false));
        Thread.sleep(20);
        ChatReply reply = complete(service, command("q", 0.0, false, new CacheDirective(CacheDirective.Mode.DEFAULT, Optional.empty(),
                Optional.of(Duration.ZERO))));
        assertThat(reply.completion().content()).isEqualTo("fresh");
    }

    @Test
    void withCachingOffNothingIsSaidUnlessTheClientAsked() throws Exception {
        ChatService service = service(CacheSettings.OFF, false);
        backend.answers("a").answers("b");
        assertThat(complete(service, deterministic("q", false)).servedBy().cache()).isEqualTo(CacheStatus.NONE);
        assertThat(complete(service, command("q", 0.0, false, CacheDirective.of(CacheDirective.Mode.USE))).servedBy().cache())
                .isEqualTo(CacheStatus.bypass("disabled"));
        assertThat(l1.entries).isEmpty();
    }

    @Test
    void aStreamedAnswerIsAssembledKeptAndReplayedAsAStreamAndWhole() throws Exception {
        ChatService service = service(on(), false);
        backend.plays(listener -> {
            listener.onDelta(new Delta(0, "", "thinking", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
            listener.onDelta(Delta.of("Let me look."));
            listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_1", "lookup"))));
            listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{\"q\":"))));
            listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "1}"))));
            listener.onComplete(FinishReason.TOOL_CALLS, Optional.of(new TokenUsage(11, 7)), "m-2026");
        });
        Events first = stream(service, deterministic("look it up", true));
        assertThat(first.start.servedBy().cache().outcome()).isEqualTo(CacheStatus.Outcome.MISS);
        Events replay = stream(service, deterministic("look it up", true));
        assertThat(backend.calls).hasSize(1);
        assertThat(replay.start.servedBy().cache().hit()).isTrue();
        assertThat(replay.start.servedBy().upstreamModel()).isEqualTo("m-2026");
        assertThat(replay.deltas).allSatisfy(d -> assertThat(d.finishReason()).isNull());
        assertThat(replay.end.finishReasons()).containsExactly(FinishReason.TOOL_CALLS);
        assertThat(replay.end.usage()).isEqualTo(new TokenUsage(11, 7));
        Choice replayed = replay.assembled().get(0);
        Choice original = first.assembled().get(0);
        assertThat(replayed.text()).isEqualTo(original.text()).isEqualTo("Let me look.");
        assertThat(replayed.reasoningContent()).isEqualTo("thinking");
        assertThat(replayed.toolCalls()).isEqualTo(original.toolCalls());
        assertThat(replayed.toolCalls().get(0).arguments()).isEqualTo("{\"q\":1}");
        // the same request answered whole from the streamed answer
        ChatReply whole = complete(service, deterministic("look it up", false));
        assertThat(whole.servedBy().cache().hit()).isTrue();
        assertThat(whole.completion().first().toolCalls()).isEqualTo(original.toolCalls());
        assertThat(whole.completion().finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void severalChoicesAreKeptAndReplayedApart() throws Exception {
        ChatService service = service(on(), false);
        backend.plays(listener -> {
            listener.onDelta(new Delta(0, "first", "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
            listener.onDelta(new Delta(1, "second", "", List.of(), null, null, null, FinishReason.LENGTH, Map.of(), Map.of(), Map.of()));
            listener.onComplete(FinishReason.STOP, Optional.of(new TokenUsage(3, 2)), "m");
        });
        GenerationParams two = new GenerationParams(0.0, null, null, List.of(), null, null, null, null, null, 2, null, null, Map.of(), null);
        ChatCommand command = new ChatCommand(new CallerContext("r", "acme", "k", null, System.nanoTime()),
                new ChatRequest("chat", List.of(ChatMessage.user("two please")), two, true, false));
        stream(service, command);
        Events replay = stream(service, command);
        assertThat(replay.end.finishReasons()).containsExactly(FinishReason.STOP, FinishReason.LENGTH);
        assertThat(replay.assembled()).extracting(Choice::text).containsExactly("first", "second");
    }

    @Test
    void aLongAnswerReplaysInSeveralChunksWithoutSplittingCharacters() throws Exception {
        ChatService service = service(on(), false);
        String text = "雪".repeat(300) + "😀".repeat(200);
        backend.answers(text);
        complete(service, deterministic("long", false));
        Events replay = stream(service, deterministic("long", true));
        assertThat(replay.deltas.size()).isGreaterThan(2);
        assertThat(replay.deltas).allSatisfy(d -> assertThat(Character.isHighSurrogate(d.content().charAt(d.content().length() - 1))).isFalse());
        assertThat(replay.assembled().get(0).text()).isEqualTo(text);
    }

    @Test
    void fallbackAnswersDegradedGroundingAndCutStreamsAreNotKept() throws Exception {
        ChatService service = service(on(), false);
        backend.fails(Failure.of(FailureKind.SERVER_ERROR, "down"));
        lighter.answers("from the lighter model");
        assertThat(complete(service, deterministic("q", false)).servedBy().tier()).isEqualTo(1);
        assertThat(l1.entries).isEmpty();
        notices.add("web search unavailable");
        backend.answers("degraded");
        complete(service, deterministic("q", false));
        assertThat(l1.entries).isEmpty();
        notices.clear();
        // cut mid-stream and continued by the next tier: an answer spliced from two backends is not kept
        backend.failsAfter(Failure.of(FailureKind.SERVER_ERROR, "cut"), "half");
        lighter.answers(" and the rest");
        Events spliced = stream(service, deterministic("q", true));
        assertThat(spliced.end).isNotNull();
        assertThat(l1.entries).isEmpty();
        backend.answers("whole");
        complete(service, deterministic("q", false));
        assertThat(l1.entries).hasSize(1);
    }

    @Test
    void aGroundedAnswerIsKeptWithItsCitationsAndReplaysThem() throws Exception {
        ChatService service = service(on(), false);
        sources.add(new SourceDocument(new Citation(1, "Doc", "https://example.com/doc", "2026-01-01", "snippet", "web"), "text"));
        backend.answers("It is [1].");
        ChatReply first = complete(service, deterministic("q", false));
        sources.clear(); // grounding would now find nothing; the hit must not ask it
        ChatReply hit = complete(service, deterministic("q", false));
        assertThat(hit.servedBy().cache().hit()).isTrue();
        assertThat(hit.citations()).isEqualTo(first.citations()).hasSize(1);
        Events streamed = stream(service, deterministic("q", true));
        assertThat(streamed.start.citations()).isEqualTo(first.citations());
    }

    @Test
    void raisingAGenerationMakesDependentEntriesStale() throws Exception {
        ChatService service = service(on(), false);
        ResponseCache cache = new ResponseCache(l1, Optional.empty(), Duration.ofSeconds(1), Duration.ofMinutes(5), GatewayMetrics.NOOP,
                Clock.systemUTC());
        backend.answers("v1").answers("v2");
        complete(service, deterministic("q", false));
        cache.raise(CacheKeys.tenantScope("other")).get(5, TimeUnit.SECONDS);
        assertThat(complete(service, deterministic("q", false)).completion().content()).isEqualTo("v1");
        cache.raise(CacheKeys.tenantScope("acme")).get(5, TimeUnit.SECONDS);
        assertThat(complete(service, deterministic("q", false)).completion().content()).isEqualTo("v2");
    }

    @Test
    void anotherTenantNeverGetsTheEntry() throws Exception {
        ChatService service = service(on(), false);
        backend.answers("acme's").answers("globex's");
        complete(service, deterministic("q", false));
        ChatCommand globex = new ChatCommand(new CallerContext("r", "globex", "k", null, System.nanoTime()),
                deterministic("q", false).request());
        assertThat(complete(service, globex).completion().content()).isEqualTo("globex's");
    }

    @Test
    void theSharedLevelFillsTheFirstAndItsOutageDegradesToTheFirstAlone() throws Exception {
        ChatService service = service(on(), true);
        backend.answers("kept").answers("during outage").answers("after");
        complete(service, deterministic("q", false));
        assertThat(l2.entries).hasSize(1);
        l1.entries.clear(); // another replica: its first level is empty
        ChatReply fromShared = complete(service, deterministic("q", false));
        assertThat(fromShared.servedBy().cache().level()).isEqualTo("l2");
        assertThat(l1.entries).hasSize(1);
        l2.down = true;
        l1.entries.clear();
        ChatReply during = complete(service, deterministic("q", false));
        assertThat(during.completion().content()).isEqualTo("during outage");
        assertThat(complete(service, deterministic("q", false)).servedBy().cache().level()).isEqualTo("l1");
    }

    private Events stream(ChatService service, ChatCommand command) throws Exception {
        Events events = new Events();
        service.stream(command, events);
        events.done.get(5, TimeUnit.SECONDS);
        return events;
    }

    private static final class Events implements ChatStreamObserver {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final List<Delta> deltas = new CopyOnWriteArrayList<>();
        StreamStart start;
        StreamEnd end;
        GatewayError error;

        @Override
        public void onStart(StreamStart s) {
            start = s;
        }

        @Override
        public void onDelta(Delta delta) {
            deltas.add(delta);
        }

        @Override
        public void onFinish(StreamEnd e) {
            end = e;
            done.complete(null);
        }

        @Override
        public void onError(GatewayError e) {
            error = e;
            done.complete(null);
        }

        List<Choice> assembled() {
            AnswerAssembler assembler = new AnswerAssembler();
            deltas.forEach(assembler::add);
            for (int i = 0; i < end.finishReasons().size(); i++) {
                assembler.add(Delta.empty(i).withFinishReason(end.finishReasons().get(i)));
            }
            return assembler.choices(FinishReason.STOP);
        }
    }
}
