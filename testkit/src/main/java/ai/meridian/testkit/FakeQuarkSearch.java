package ai.meridian.testkit;

import java.util.List;

/**
 * A loopback server speaking Alibaba Cloud IQS unified search ({@code POST /search/unified}): scripted
 * result pages and the service's error answers (403 {@code Retrieval.NotActivate} / {@code Retrieval.Arrears},
 * 429 {@code Retrieval.Throttling.User}). Unscripted requests get {@link #DEFAULT_ITEMS}.
 */
public final class FakeQuarkSearch implements AutoCloseable {
    public static final String PATH = "/search/unified";

    /** One {@code pageItems} entry; null fields are left out of the JSON. */
    public record Item(String title, String link, String snippet, String publishedTime, String mainText, String markdownText,
                       String hostname, String summary) {

        public static Item of(String title, String link, String snippet) {
            return new Item(title, link, snippet, null, null, null, null, null);
        }
    }

    public static final List<Item> DEFAULT_ITEMS = List.of(
            new Item("Meridian gateway", "https://meridian.example/docs", "A self-hosted AI gateway.", "2025-06-01T08:00:00+08:00",
                    "Meridian is a self-hosted AI gateway that grounds answers in web search.", null, "meridian.example", null),
            new Item("子午线网关", "https://meridian.example.cn/zh", "自托管的人工智能网关。", null,
                    "子午线是一个自托管的人工智能网关，支持联网搜索。", null, "meridian.example.cn", null));

    private final LoopbackHttpServer server;

    private FakeQuarkSearch() {
        server = LoopbackHttpServer.start();
        server.route(PATH, HttpReply.json(200, page("fake-default", DEFAULT_ITEMS)));
    }

    public static FakeQuarkSearch start() {
        return new FakeQuarkSearch();
    }

    /** The endpoint to configure ({@code http://127.0.0.1:port}); requests go to {@link #PATH} under it. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    public LoopbackHttpServer server() {
        return server;
    }

    /** The next request is answered with these items. */
    public FakeQuarkSearch answer(List<Item> items) {
        server.enqueue(HttpReply.json(200, page("fake-" + System.nanoTime(), items)));
        return this;
    }

    /** The next request gets an IQS error answer, e.g. {@code 403, "Retrieval.NotActivate"}. */
    public FakeQuarkSearch fail(int status, String code, String message) {
        server.enqueue(HttpReply.json(status, "{\"requestId\":\"fake-error-" + System.nanoTime() + "\",\"code\":" + FakeOpenAiUpstream.quote(code)
                + ",\"message\":" + FakeOpenAiUpstream.quote(message) + "}"));
        return this;
    }

    /** The next request gets this reply (slow, garbage, reset...). */
    public FakeQuarkSearch enqueue(HttpReply reply) {
        server.enqueue(reply);
        return this;
    }

    /** A result page as IQS writes it. */
    public static String page(String requestId, List<Item> items) {
        StringBuilder json = new StringBuilder("{\"requestId\":").append(FakeOpenAiUpstream.quote(requestId)).append(",\"pageItems\":[");
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            json.append(i == 0 ? "" : ",").append('{');
            boolean[] first = {true};
            field(json, first, "title", item.title());
            field(json, first, "link", item.link());
            field(json, first, "snippet", item.snippet());
            field(json, first, "publishedTime", item.publishedTime());
            field(json, first, "mainText", item.mainText());
            field(json, first, "markdownText", item.markdownText());
            field(json, first, "hostname", item.hostname());
            field(json, first, "summary", item.summary());
            json.append(first[0] ? "" : ",").append("\"rerankScore\":0.5,\"images\":[{\"imageLink\":\"https://img.example/x.png\"}]}");
        }
        return json.append("],\"sceneItems\":[],\"searchInformation\":{\"searchTime\":120},\"queryContext\":{\"originalQuery\":{}}}").toString();
    }

    private static void field(StringBuilder json, boolean[] first, String name, String value) {
        if (value == null) {
            return;
        }
        json.append(first[0] ? "" : ",").append('"').append(name).append("\":").append(FakeOpenAiUpstream.quote(value));
        first[0] = false;
    }

    @Override
    public void close() {
        server.close();
    }
}
