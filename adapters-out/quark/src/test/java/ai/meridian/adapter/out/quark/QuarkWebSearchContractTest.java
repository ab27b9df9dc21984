package ai.meridian.adapter.out.quark;

import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.testkit.FakeQuarkSearch;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.WebSearchContract;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Quark adapter against a loopback server speaking IQS unified search. */
class QuarkWebSearchContractTest extends WebSearchContract {
    private static final Pattern QUERY = Pattern.compile("\"query\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static FakeQuarkSearch quark;
    private static QuarkWebSearch adapter;
    private static QuarkWebSearch unreachable;

    @BeforeAll
    static void start() throws IOException {
        quark = FakeQuarkSearch.start();
        adapter = new QuarkWebSearch(QuarkSettings.defaults("test-key").withEndpoint(quark.endpoint()));
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        unreachable = new QuarkWebSearch(QuarkSettings.defaults("test-key").withEndpoint("http://127.0.0.1:" + freePort));
    }

    @AfterAll
    static void stop() {
        adapter.close();
        unreachable.close();
        quark.close();
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
            quark.answer(r.hits().stream()
                    .map(h -> new FakeQuarkSearch.Item(h.title(), h.url(), h.snippet(), h.publishedDate(), null, null, null, null)).toList());
        } else if (scenario instanceof Scenario.Throttled) {
            quark.fail(429, "Retrieval.Throttling.User", "Request was denied due to user flow control.");
        } else if (scenario instanceof Scenario.ServerError) {
            quark.fail(500, "InternalError", "The request processing has failed due to some unknown error.");
        } else if (scenario instanceof Scenario.Garbage) {
            quark.enqueue(HttpReply.json(200, "{\"requestId\":\"x\",\"pageItems\":[{\"title\": oops"));
        } else if (scenario instanceof Scenario.Slow s) {
            quark.enqueue(HttpReply.json(200, FakeQuarkSearch.page("slow", FakeQuarkSearch.DEFAULT_ITEMS)).delayedBy(s.delay()));
        }
    }

    @Override
    protected String lastQueryReceived() {
        Matcher m = QUERY.matcher(quark.server().lastRequest().body());
        if (!m.find()) {
            throw new AssertionError("no query in " + quark.server().lastRequest().body());
        }
        return m.group(1);
    }
}
