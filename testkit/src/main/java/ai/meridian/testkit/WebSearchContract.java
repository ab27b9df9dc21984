package ai.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.port.out.retrieval.TimeRange;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link SearchWebPort} adapter passes against its engine's real protocol on loopback:
 * results in the engine's order, cut to the requested count; and every way the engine can fail (throttled,
 * broken, slow, garbled, unreachable) surfacing as {@link RetrievalUnavailableException} naming the source,
 * within the query's timeout, never blocking the caller.
 */
public abstract class WebSearchContract {
    /** The per-query timeout the contract uses. */
    protected static final Duration TIMEOUT = Duration.ofMillis(800);

    /** One result as the engine returns it. */
    public record Hit(String title, String url, String snippet, String publishedDate) {
    }

    /** What the engine does with the next query. */
    public sealed interface Scenario {
        record Results(List<Hit> hits) implements Scenario { }

        /** The engine's "too many requests". */
        record Throttled() implements Scenario { }

        /** The engine's internal error (HTTP 500). */
        record ServerError() implements Scenario { }

        /** A 200 whose body is not the engine's JSON. */
        record Garbage() implements Scenario { }

        /** Answers only after this delay. */
        record Slow(Duration delay) implements Scenario { }
    }

    /** The adapter under test, wired to the scriptable engine. */
    protected abstract SearchWebPort adapter();

    /** An adapter of the same kind pointed at an address where nothing listens. */
    protected abstract SearchWebPort unreachableAdapter();

    protected abstract void next(Scenario scenario);

    /** The query text the engine received last, decoded. */
    protected abstract String lastQueryReceived();

    private static WebSearchQuery query(String text, int maxResults) {
        return new WebSearchQuery(text, TimeRange.NO_LIMIT, maxResults, TIMEOUT);
    }

    private static List<WebResult> await(CompletableFuture<List<WebResult>> future) throws Exception {
        return future.get(TIMEOUT.toMillis() + 3000, TimeUnit.MILLISECONDS);
    }

    @Test
    void returnsTheEnginesResultsInOrder() throws Exception {
        next(new Scenario.Results(List.of(
                new Hit("Hangzhou weather", "https://weather.example.cn/hangzhou", "Sunny, 25°C", "2025-05-01"),
                new Hit("杭州天气预报", "https://tianqi.example.cn/hz", "今天晴，气温25度", ""))));
        List<WebResult> results = await(adapter().search(query("杭州 天气 weather", 5)));
        assertThat(results).extracting(WebResult::title).containsExactly("Hangzhou weather", "杭州天气预报");
        assertThat(results).extracting(WebResult::url).containsExactly("https://weather.example.cn/hangzhou", "https://tianqi.example.cn/hz");
        assertThat(results.get(0).snippet()).isEqualTo("Sunny, 25°C");
        assertThat(results.get(1).snippet()).isEqualTo("今天晴，气温25度");
        assertThat(results.get(0).publishedDate()).startsWith("2025-05-01");
        assertThat(lastQueryReceived()).isEqualTo("杭州 天气 weather");
    }

    @Test
    void neverReturnsMoreThanAskedFor() throws Exception {
        List<Hit> many = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            many.add(new Hit("Result " + i, "https://example.com/" + i, "snippet " + i, ""));
        }
        next(new Scenario.Results(many));
        assertThat(await(adapter().search(query("many", 3)))).extracting(WebResult::title).containsExactly("Result 0", "Result 1", "Result 2");
    }

    @Test
    void noResultsIsAnEmptyListNotAFailure() throws Exception {
        next(new Scenario.Results(List.of()));
        assertThat(await(adapter().search(query("nothing matches this", 5)))).isEmpty();
    }

    @Test
    void throttlingDegradesRetrieval() {
        next(new Scenario.Throttled());
        assertUnavailable(adapter().search(query("busy", 5)));
    }

    @Test
    void serverErrorsDegradeRetrieval() {
        next(new Scenario.ServerError());
        assertUnavailable(adapter().search(query("broken", 5)));
    }

    @Test
    void garbageDegradesRetrieval() {
        next(new Scenario.Garbage());
        assertUnavailable(adapter().search(query("garbled", 5)));
    }

    @Test
    void aSlowEngineIsGivenUpOnAtTheQueryTimeoutWithoutBlockingTheCaller() {
        next(new Scenario.Slow(TIMEOUT.multipliedBy(4)));
        long started = System.nanoTime();
        CompletableFuture<List<WebResult>> pending = adapter().search(query("slow", 5));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("search() returns before the engine answers").isLessThan(TIMEOUT);
        assertUnavailable(pending);
        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertThat(waited).as("gives up at the timeout, not before").isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
        assertThat(waited).as("gives up near the timeout").isLessThan(TIMEOUT.plusMillis(2500));
    }

    @Test
    void aQueryWithNoTimeLeftDegradesAtOnce() {
        assertUnavailable(adapter().search(new WebSearchQuery("late", TimeRange.NO_LIMIT, 5, Duration.ZERO)));
    }

    @Test
    void anUnreachableEngineDegradesRetrieval() {
        assertUnavailable(unreachableAdapter().search(query("anyone there", 5)));
    }

    private void assertUnavailable(CompletableFuture<List<WebResult>> future) {
        assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RetrievalUnavailableException.class)
                .satisfies(e -> {
                    assertThat(((RetrievalUnavailableException) e).source()).isEqualTo(adapter().name());
                    assertThat(e.getMessage()).isNotBlank();
                });
    }
}
