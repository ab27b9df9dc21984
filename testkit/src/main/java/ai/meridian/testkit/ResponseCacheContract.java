package ai.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.ResponseCachePort;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.retrieval.Citation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ResponseCachePort} adapter (each level of the response cache) must do: keep an answer whole —
 * every choice and field, citations, generations, times — under its key until its ttl ends; replace and remove it;
 * keep generation counters that start at 0, rise by exactly one per raise also under concurrent raises, can be set, and
 * are independent of each other and of entries; and clear entries without touching counters.
 */
public abstract class ResponseCacheContract {

    /** The store under test. Keys and scopes are unique per test, so one store may serve every test. */
    protected abstract ResponseCachePort cache();

    private static String unique(String prefix) {
        return prefix + "/" + UUID.randomUUID();
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    /** An answer with something in every field a store must keep. */
    public static CachedAnswer richAnswer(String tenant) {
        Choice first = new Choice(0, "Paris is the capital [1]. 雪 😀 \"quoted\"\nnew line", "thinking first", List.of(
                ToolCall.function("call_1", "lookup", "{\"q\":\"x\"}"), new ToolCall("call_2", "custom", "grep", "raw text")),
                null, null, "{\"content\":[{\"token\":\"Paris\",\"logprob\":-0.01}]}", FinishReason.TOOL_CALLS,
                Map.of("annotations", "[]"), Map.of("stop_reason", "null"));
        Choice second = new Choice(1, null, "", List.of(), new ToolCall(null, "function", "legacy", "{}"), "I can't help with that.", null,
                FinishReason.fromWire("insufficient_system_resource"), Map.of(), Map.of());
        Completion completion = new Completion(List.of(first, second), Optional.of(new TokenUsage(120, 45, 100, 30,
                Map.of("prompt_cache_hit_tokens", "100"))), "upstream-model-2026", "fp_123", "default", Map.of("x_vendor", "{\"a\":[1,2]}"));
        return new CachedAnswer(tenant, "chat/model:1", completion, new TokenUsage(120, 45, 100, 30, Map.of("prompt_cache_hit_tokens", "100")),
                List.of(new Citation(1, "Doc", "https://example.com/doc", "2026-01-01", "snippet", "knowledge_base:docs", 0.875),
                        new Citation(2, "", "https://example.org", "", "", "web")),
                Map.of("t/acme", 3L, "kb/acme/docs", 1_700_000_000_123L), 1_700_000_000_000L, 4_102_444_800_000L);
    }

    @Test
    void anAnswerIsKeptWholeUnderItsKey() throws Exception {
        String key = unique("acme");
        CachedAnswer answer = richAnswer("acme");
        assertThat(get(cache().get(key))).isEmpty();
        get(cache().put(key, answer, Duration.ofMinutes(5)));
        Optional<CachedAnswer> found = get(cache().get(key));
        assertThat(found).contains(answer);
        assertThat(found.get().completion().choices().get(1).content()).isNull();
    }

    @Test
    void aLargeAnswerIsKept() throws Exception {
        String key = unique("acme");
        CachedAnswer rich = richAnswer("acme");
        Choice big = Choice.text(0, "x".repeat(1_000_000), "", FinishReason.STOP);
        CachedAnswer answer = new CachedAnswer("acme", "chat", new Completion(List.of(big), Optional.empty(), "", null, null, Map.of()),
                TokenUsage.ZERO, List.of(), Map.of(), rich.createdAtMillis(), rich.expiresAtMillis());
        get(cache().put(key, answer, Duration.ofMinutes(5)));
        assertThat(get(cache().get(key))).contains(answer);
    }

    @Test
    void anEntryIsReplacedAndRemoved() throws Exception {
        String key = unique("acme");
        get(cache().put(key, richAnswer("acme"), Duration.ofMinutes(5)));
        CachedAnswer other = richAnswer("globex");
        get(cache().put(key, other, Duration.ofMinutes(5)));
        assertThat(get(cache().get(key))).contains(other);
        assertThat(get(cache().remove(key))).isTrue();
        assertThat(get(cache().get(key))).isEmpty();
        assertThat(get(cache().remove(key))).isFalse();
    }

    @Test
    void anEntryIsGoneAfterItsTtl() throws Exception {
        String key = unique("acme");
        String kept = unique("acme");
        get(cache().put(key, richAnswer("acme"), Duration.ofMillis(1200)));
        get(cache().put(kept, richAnswer("acme"), Duration.ofMinutes(5)));
        assertThat(get(cache().get(key))).isPresent();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (get(cache().get(key)).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(get(cache().get(key))).as("expired").isEmpty();
        assertThat(get(cache().get(kept))).as("not expired").isPresent();
    }

    @Test
    void generationsStartAtZeroAndRiseByOne() throws Exception {
        String a = unique("kb");
        String b = unique("kb");
        assertThat(get(cache().generations(List.of(a, b)))).containsExactly(0L, 0L);
        long first = get(cache().bump(a));
        long second = get(cache().bump(a));
        assertThat(second).isEqualTo(first + 1);
        assertThat(first).isPositive();
        assertThat(get(cache().generations(List.of(a, b)))).containsExactly(second, 0L);
        get(cache().adopt(List.of(b), List.of(41L)));
        assertThat(get(cache().generations(List.of(b, a)))).containsExactly(41L, second);
        assertThat(get(cache().bump(b))).isEqualTo(42L);
    }

    @Test
    void concurrentRaisesAreEachCounted() throws Exception {
        String scope = unique("t");
        long start = get(cache().generations(List.of(scope))).get(0);
        ExecutorService raisers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> raises = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                raises.add(raisers.submit(() -> get(cache().bump(scope))));
            }
            List<Long> values = new ArrayList<>();
            for (Future<Long> raise : raises) {
                values.add(raise.get(20, TimeUnit.SECONDS));
            }
            assertThat(values).doesNotHaveDuplicates();
        } finally {
            raisers.shutdownNow();
        }
        long end = get(cache().generations(List.of(scope))).get(0);
        assertThat(end - start).isGreaterThanOrEqualTo(200);
    }

    @Test
    void clearingRemovesEntriesButKeepsGenerations() throws Exception {
        String key = unique("acme");
        String scope = unique("t");
        get(cache().put(key, richAnswer("acme"), Duration.ofMinutes(5)));
        long raised = get(cache().bump(scope));
        get(cache().clear());
        assertThat(get(cache().get(key))).isEmpty();
        assertThat(get(cache().generations(List.of(scope)))).containsExactly(raised);
    }

    @Test
    void theStoreAnswersItsProbeAndReportsFigures() throws Exception {
        assertThat(get(cache().probe())).isTrue();
        get(cache().put(unique("acme"), richAnswer("acme"), Duration.ofMinutes(5)));
        ResponseCachePort.LevelStats stats = cache().stats();
        assertThat(stats).isNotNull();
        assertThat(stats.evictedBySize()).isNotNegative();
        assertThat(stats.expired()).isNotNegative();
    }
}
