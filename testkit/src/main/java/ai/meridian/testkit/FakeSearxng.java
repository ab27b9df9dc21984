package ai.meridian.testkit;

import java.util.List;

/**
 * A loopback server speaking SearXNG's JSON search API ({@code GET /search?q=...&format=json}). Unscripted
 * requests get {@link #DEFAULT_RESULTS}.
 */
public final class FakeSearxng implements AutoCloseable {
    public static final String PATH = "/search";

    /** One {@code results} entry; null fields are left out of the JSON. */
    public record Result(String title, String url, String content, String publishedDate) {
    }

    public static final List<Result> DEFAULT_RESULTS = List.of(
            new Result("Meridian gateway", "https://meridian.example/docs", "A self-hosted AI gateway.", "2025-06-01T00:00:00"),
            new Result("子午线网关", "https://meridian.example.cn/zh", "自托管的人工智能网关。", null));

    private final LoopbackHttpServer server;

    private FakeSearxng() {
        server = LoopbackHttpServer.start();
        server.route(PATH, HttpReply.json(200, page("default", DEFAULT_RESULTS)));
    }

    public static FakeSearxng start() {
        return new FakeSearxng();
    }

    /** The base URL to configure ({@code http://127.0.0.1:port}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public LoopbackHttpServer server() {
        return server;
    }

    public FakeSearxng answer(String query, List<Result> results) {
        server.enqueue(HttpReply.json(200, page(query, results)));
        return this;
    }

    public FakeSearxng enqueue(HttpReply reply) {
        server.enqueue(reply);
        return this;
    }

    /** A result page as SearXNG writes it. */
    public static String page(String query, List<Result> results) {
        StringBuilder json = new StringBuilder("{\"query\":").append(FakeOpenAiUpstream.quote(query))
                .append(",\"number_of_results\":").append(results.size()).append(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(i == 0 ? "" : ",").append("{\"url\":").append(FakeOpenAiUpstream.quote(r.url()))
                    .append(",\"title\":").append(FakeOpenAiUpstream.quote(r.title()));
            if (r.content() != null) {
                json.append(",\"content\":").append(FakeOpenAiUpstream.quote(r.content()));
            }
            json.append(",\"publishedDate\":").append(r.publishedDate() == null ? "null" : FakeOpenAiUpstream.quote(r.publishedDate()));
            json.append(",\"engine\":\"fake\",\"engines\":[\"fake\"],\"positions\":[").append(i + 1).append("],\"score\":1.0,\"category\":\"general\"}");
        }
        return json.append("],\"answers\":[],\"corrections\":[],\"infoboxes\":[],\"suggestions\":[],\"unresponsive_engines\":[]}").toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
