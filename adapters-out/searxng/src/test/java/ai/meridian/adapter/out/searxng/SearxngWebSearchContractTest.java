package ai.meridian.adapter.out.searxng;

import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.testkit.FakeSearxng;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.WebSearchContract;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SearXNG adapter against a loopback server speaking SearXNG's JSON API. */
class SearxngWebSearchContractTest extends WebSearchContract {
    private static FakeSearxng searxng;
    private static SearxngWebSearch adapter;
    private static SearxngWebSearch unreachable;

    @BeforeAll
    static void start() throws IOException {
        searxng = FakeSearxng.start();
        adapter = new SearxngWebSearch(SearxngSettings.defaults(searxng.baseUrl()));
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        unreachable = new SearxngWebSearch(SearxngSettings.defaults("http://127.0.0.1:" + freePort));
    }

    @AfterAll
    static void stop() {
        adapter.close();
        unreachable.close();
        searxng.close();
    }

    @Override
    protected SearchWebPort adapter() {
        return adapter;
    }

    @Override
    protected SearchWebPort unreachableAdapter() {
        return unreachable;
    }

    @Override
    protected void next(Scenario scenario) {
        if (scenario instanceof Scenario.Results r) {
            searxng.answer("q", r.hits().stream()
                    .map(h -> new FakeSearxng.Result(h.title(), h.url(), h.snippet(), h.publishedDate().isEmpty() ? null : h.publishedDate()))
                    .toList());
        } else if (scenario instanceof Scenario.Throttled) {
            searxng.enqueue(HttpReply.text(429, "text/plain", "Too Many Requests"));
        } else if (scenario instanceof Scenario.ServerError) {
            searxng.enqueue(HttpReply.text(500, "text/html", "<h1>Internal Server Error</h1>"));
        } else if (scenario instanceof Scenario.Garbage) {
            searxng.enqueue(HttpReply.html("<!DOCTYPE html><html><body>SearXNG</body></html>"));
        } else if (scenario instanceof Scenario.Slow s) {
            searxng.enqueue(HttpReply.json(200, FakeSearxng.page("slow", FakeSearxng.DEFAULT_RESULTS)).delayedBy(s.delay()));
        }
    }

    @Override
    protected String lastQueryReceived() {
        String query = URI.create(searxng.server().lastRequest().target()).getRawQuery();
        for (String pair : query.split("&")) {
            if (pair.startsWith("q=")) {
                return URLDecoder.decode(pair.substring(2), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no q in " + query);
    }
}
