package ai.meridian.adapter.out.searxng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.TimeRange;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import ai.meridian.testkit.FakeSearxng;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.LoopbackHttpServer.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the SearXNG adapter asks for, what it keeps, and how the instance's failures read. */
class SearxngWebSearchTest {
    private static FakeSearxng searxng;
    private static SearxngWebSearch adapter;

    @BeforeAll
    static void start() {
        searxng = FakeSearxng.start();
        adapter = new SearxngWebSearch(SearxngSettings.defaults(searxng.baseUrl() + "/"));
    }

    @AfterAll
    static void stop() {
        adapter.close();
        searxng.close();
    }

    private static WebSearchQuery query(String text, TimeRange range, int max) {
        return new WebSearchQuery(text, range, max, Duration.ofSeconds(2));
    }

    @Test
    void asksForJsonWithTheTimeRangeAndNothingElseByDefault() throws Exception {
        adapter.search(query("rust async & await?", TimeRange.ONE_MONTH, 5)).get(5, TimeUnit.SECONDS);
        RecordedRequest request = searxng.server().lastRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.target()).isEqualTo("/search?q=rust+async+%26+await%3F&format=json&pageno=1&time_range=month");
        adapter.search(query("q", TimeRange.NO_LIMIT, 5)).get(5, TimeUnit.SECONDS);
        assertThat(searxng.server().lastRequest().target()).isEqualTo("/search?q=q&format=json&pageno=1");
        assertThat(List.of(TimeRange.values()).stream().map(SearxngWire::timeRange).toList())
                .containsExactly("day", "week", "month", "year", null);
    }

    @Test
    void sendsLanguageCategoriesSafeSearchAndProxyHeadersWhenConfigured() throws Exception {
        SearxngSettings custom = new SearxngSettings(searxng.baseUrl(), "zh-CN", "general,news", 1,
                Map.of("Authorization", "Basic dXNlcjpwYXNz"), Duration.ofSeconds(1), 1024 * 1024);
        try (SearxngWebSearch configured = new SearxngWebSearch(custom)) {
            configured.search(query("天气", TimeRange.ONE_DAY, 5)).get(5, TimeUnit.SECONDS);
        }
        RecordedRequest request = searxng.server().lastRequest();
        assertThat(request.target()).isEqualTo("/search?q=%E5%A4%A9%E6%B0%94&format=json&pageno=1&time_range=day&language=zh-CN"
                + "&categories=general%2Cnews&safesearch=1");
        assertThat(request.header("authorization")).isEqualTo("Basic dXNlcjpwYXNz");
        assertThat(custom.toString()).doesNotContain("dXNlcjpwYXNz");
    }

    @Test
    void keepsUrlTitleContentDateAndTheHostname() throws Exception {
        searxng.answer("q", List.of(
                new FakeSearxng.Result("Tokio tutorial", "https://tokio.rs/tokio/tutorial", "Learn async Rust.", "2024-11-02T00:00:00"),
                new FakeSearxng.Result("No content", "http://example.org/page", null, null),
                new FakeSearxng.Result("Magnet", "magnet:?xt=urn:btih:abc", "dropped", null)));
        List<WebResult> results = adapter.search(query("tokio", TimeRange.NO_LIMIT, 10)).get(5, TimeUnit.SECONDS);
        assertThat(results).hasSize(2);
        assertThat(results.get(0)).isEqualTo(new WebResult("Tokio tutorial", "https://tokio.rs/tokio/tutorial", "Learn async Rust.",
                "2024-11-02T00:00:00", "", "tokio.rs"));
        assertThat(results.get(1).snippet()).isEmpty();
        assertThat(results.get(1).hostname()).isEqualTo("example.org");
    }

    @Test
    void theInstancesOwnFailuresSayWhatToFix() {
        searxng.enqueue(HttpReply.text(403, "text/html", "<h1>Forbidden</h1>"));
        assertUnavailable("enable json under search.formats");
        searxng.enqueue(HttpReply.text(429, "text/plain", "Too Many Requests"));
        assertUnavailable("throttled by its limiter (HTTP 429)");
        searxng.enqueue(HttpReply.json(200, "{\"query\":\"q\",\"results\":[],\"unresponsive_engines\":[[\"google\",\"CAPTCHA\"],[\"bing\",\"timeout\"]]}"));
        assertUnavailable("every engine failed: google: CAPTCHA, bing: timeout");
        searxng.enqueue(HttpReply.json(200, "{\"query\":\"q\",\"answers\":[]}"));
        assertUnavailable("no results");
    }

    @Test
    void settingsAreCheckedWhenRead() {
        assertThatThrownBy(() -> SearxngSettings.defaults("")).hasMessageContaining("url is required");
        assertThatThrownBy(() -> SearxngSettings.defaults("searx.local:8080")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> new SearxngSettings("http://s", "", "", 3, Map.of(), Duration.ofSeconds(1), 1 << 20))
                .hasMessageContaining("safe-search");
        assertThatThrownBy(() -> new SearxngSettings("http://s", "", "", 0, Map.of("Host", "x"), Duration.ofSeconds(1), 1 << 20))
                .hasMessageContaining("cannot set Host");
    }

    private static void assertUnavailable(String reason) {
        assertThatThrownBy(() -> adapter.search(query("q", TimeRange.NO_LIMIT, 5)).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RetrievalUnavailableException.class)
                .hasMessageContaining(reason).hasMessageStartingWith("web search searxng: ");
    }
}
