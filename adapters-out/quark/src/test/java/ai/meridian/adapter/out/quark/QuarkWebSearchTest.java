package ai.meridian.adapter.out.quark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.TimeRange;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import ai.meridian.testkit.FakeQuarkSearch;
import ai.meridian.testkit.FakeQuarkSearch.Item;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.LoopbackHttpServer.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the Quark adapter sends, what it keeps of the answer, and how each IQS error reads. */
class QuarkWebSearchTest {
    private static final String KEY = "sk-iqs-secret-123";
    private static FakeQuarkSearch quark;
    private static QuarkWebSearch adapter;

    @BeforeAll
    static void start() {
        quark = FakeQuarkSearch.start();
        adapter = new QuarkWebSearch(QuarkSettings.defaults(KEY).withEndpoint(quark.endpoint() + "/"));
    }

    @AfterAll
    static void stop() {
        adapter.close();
        quark.close();
    }

    private static WebSearchQuery query(String text, TimeRange range, int max) {
        return new WebSearchQuery(text, range, max, Duration.ofSeconds(2));
    }

    private static List<WebResult> search(WebSearchQuery query) throws Exception {
        return adapter.search(query).get(5, TimeUnit.SECONDS);
    }

    @Test
    void sendsTheUnifiedSearchRequestWithTheKeyAsBearer() throws Exception {
        search(query("DeepSeek \"R2\" 发布时间", TimeRange.ONE_WEEK, 7));
        RecordedRequest request = quark.server().lastRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.target()).isEqualTo("/search/unified");
        assertThat(request.header("authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.header("x-api-key")).isNull();
        assertThat(request.header("content-type")).isEqualTo("application/json");
        assertThat(request.body()).isEqualTo("{\"query\":\"DeepSeek \\\"R2\\\" 发布时间\",\"timeRange\":\"OneWeek\",\"engineType\":\"Generic\","
                + "\"contents\":{\"mainText\":true,\"markdownText\":false,\"summary\":false,\"rerankScore\":false},"
                + "\"advancedParams\":{\"numResults\":7}}");
    }

    @Test
    void canSendTheKeyAsXApiKeyAndAskForOtherContentsAndEngines() throws Exception {
        QuarkSettings custom = new QuarkSettings(quark.endpoint(), KEY, QuarkSettings.AuthHeader.fromConfig("x-api-key"),
                QuarkSettings.EngineType.fromConfig("LiteAdvanced"), false, true, true, true, Duration.ofSeconds(1), 1024 * 1024);
        try (QuarkWebSearch other = new QuarkWebSearch(custom)) {
            other.search(query("q", TimeRange.ONE_DAY, 3)).get(5, TimeUnit.SECONDS);
        }
        RecordedRequest request = quark.server().lastRequest();
        assertThat(request.header("x-api-key")).isEqualTo(KEY);
        assertThat(request.header("authorization")).isNull();
        assertThat(request.body()).contains("\"timeRange\":\"OneDay\"", "\"engineType\":\"LiteAdvanced\"",
                "\"contents\":{\"mainText\":false,\"markdownText\":true,\"summary\":true,\"rerankScore\":true}");
    }

    @Test
    void everyTimeRangeHasItsWireName() {
        assertThat(List.of(TimeRange.values()).stream().map(QuarkWire::timeRange))
                .containsExactly("OneDay", "OneWeek", "OneMonth", "OneYear", "NoLimit");
    }

    @Test
    void keepsTitleLinkSnippetDateMainTextAndHostname() throws Exception {
        quark.answer(List.of(
                new Item("DeepSeek 发布新模型", "https://news.example.cn/ds", "DeepSeek 今日发布…", "2025-05-28T10:00:00+08:00",
                        "DeepSeek 今日发布了新模型，性能大幅提升。", "# DeepSeek\n\n新模型", "news.example.cn", "摘要"),
                new Item("Markdown only", "https://example.com/md", null, null, null, "**bold** text", "example.com", "A summary."),
                new Item("No link", null, "dropped", null, null, null, null, null),
                new Item("Not web", "ftp://example.com/file", "dropped", null, null, null, null, null)));
        List<WebResult> results = search(query("DeepSeek", TimeRange.NO_LIMIT, 10));
        assertThat(results).hasSize(2);
        WebResult first = results.get(0);
        assertThat(first.title()).isEqualTo("DeepSeek 发布新模型");
        assertThat(first.url()).isEqualTo("https://news.example.cn/ds");
        assertThat(first.snippet()).isEqualTo("DeepSeek 今日发布…");
        assertThat(first.publishedDate()).isEqualTo("2025-05-28T10:00:00+08:00");
        assertThat(first.mainText()).isEqualTo("DeepSeek 今日发布了新模型，性能大幅提升。");
        assertThat(first.hostname()).isEqualTo("news.example.cn");
        WebResult second = results.get(1);
        assertThat(second.snippet()).as("summary stands in for a missing snippet").isEqualTo("A summary.");
        assertThat(second.mainText()).as("Markdown stands in for missing main text").isEqualTo("**bold** text");
        assertThat(second.publishedDate()).isEmpty();
    }

    @Test
    void notActivatedAndArrearsSayWhatToFix() {
        quark.fail(403, "Retrieval.NotActivate", "Please activate the service first.");
        assertUnavailable("the IQS search service is not activated for this account (HTTP 403 Retrieval.NotActivate: Please activate");
        quark.fail(403, "Retrieval.Arrears", "Your account has overdue payment.");
        assertUnavailable("the IQS account is in arrears (HTTP 403 Retrieval.Arrears");
        quark.fail(429, "Retrieval.Throttling.User", "Request was denied due to user flow control.");
        assertUnavailable("throttled (HTTP 429 Retrieval.Throttling.User");
        quark.fail(401, "InvalidApiKey", "bad key");
        assertUnavailable("refused the API key (HTTP 401");
        quark.enqueue(HttpReply.text(502, "text/html", "<html>Bad Gateway</html>"));
        assertUnavailable("server error (HTTP 502)");
    }

    @Test
    void garbageEmptyAndOversizedAnswersDegrade() throws Exception {
        quark.enqueue(HttpReply.text(200, "text/html", "<html>captive portal</html>"));
        assertUnavailable("malformed JSON");
        quark.enqueue(HttpReply.json(200, "{\"requestId\":\"x\"}"));
        assertUnavailable("no pageItems");
        quark.enqueue(HttpReply.json(200, "{\"requestId\":\"x\",\"pageItems\":[]}"));
        assertThat(search(query("q", TimeRange.NO_LIMIT, 5))).isEmpty();
        quark.enqueue(HttpReply.json(200, FakeQuarkSearch.page("big", List.of(new Item("t", "https://e.x/", "s", null,
                "x".repeat(9 * 1024 * 1024), null, null, null)))));
        assertUnavailable("answer larger than");
        quark.enqueue(HttpReply.resetConnection());
        assertUnavailable("web search quark:");
    }

    @Test
    void theKeyNeverAppearsInMessagesOrSettings() {
        quark.fail(403, "Retrieval.NotActivate", "key " + KEY + " is not active");
        assertUnavailable("key *** is not active");
        assertThat(QuarkSettings.defaults(KEY).toString()).doesNotContain(KEY);
    }

    @Test
    void settingsAreCheckedWhenRead() {
        assertThatThrownBy(() -> QuarkSettings.defaults("")).hasMessageContaining("api-key");
        assertThatThrownBy(() -> QuarkSettings.defaults(KEY).withEndpoint("ftp://x")).hasMessageContaining("endpoint");
        assertThatThrownBy(() -> QuarkSettings.AuthHeader.fromConfig("basic")).hasMessageContaining("bearer or x-api-key");
        assertThatThrownBy(() -> QuarkSettings.EngineType.fromConfig("Turbo")).hasMessageContaining("Generic");
        assertThat(QuarkSettings.EngineType.fromConfig("genericadvanced")).isEqualTo(QuarkSettings.EngineType.GENERIC_ADVANCED);
    }

    private static void assertUnavailable(String reason) {
        assertThatThrownBy(() -> search(query("q", TimeRange.NO_LIMIT, 5)))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RetrievalUnavailableException.class)
                .hasMessageContaining(reason).hasMessageNotContaining(KEY);
    }
}
