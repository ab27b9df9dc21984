package ai.meridian.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * A recording upstream on loopback that answers from scripted wire-format fixtures, for client
 * compatibility suites: the same SDK is pointed at it directly and through Meridian, and what the client
 * sees and what this upstream received are compared.
 *
 * <p>A fixture is one JSON file ({@code clients/fixtures/*.json}):
 * <pre>
 * {"about": "...", "model": "tools-plain", "path": "/v1/chat/completions", "framing": "data",
 *  "replies": [{"json": {...whole answer...}, "events": [{...chunk...}, ...]}, ...]}
 * </pre>
 * A request is answered by the fixture whose {@code model} it names and whose {@code path} it was sent to
 * ({@code /v1/chat/completions} by default; another protocol, such as Anthropic's {@code /v1/messages} or
 * {@code /v1/responses}, is a fixture with that path). Which reply: the {@linkplain #turnOf turn} of the
 * conversation (a tool loop's second request gets the second reply), the last reply past the end. A streamed
 * request gets the reply's {@code events}: with {@code "framing": "data"} (the default) each is sent as
 * {@code data: <json>} and {@code data: [DONE]} ends the stream, and a usage-only chunk is sent only when the
 * request asked for it ({@code stream_options.include_usage}), as OpenAI does; with {@code "framing": "named"}
 * each event is {@code {"event": name, "data": json}}, sent as {@code event:} and {@code data:} lines, with no
 * terminator (Anthropic's SSE). A reply may instead be {@code {"status": 400, "json": {...}}}, an error.
 *
 * <p>Everything received is kept: {@code GET /__recorded?from=N} answers {@code {"count": total, "requests":
 * [{method, path, headers, body}, ...]}} with the requests from the N-th on (header names in lower case, the
 * body as JSON when it is JSON). {@code GET /v1/models} lists the fixtures' models.
 */
public final class ScenarioUpstream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String CHAT_PATH = "/v1/chat/completions";

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, JsonNode> fixtures = new LinkedHashMap<>();
    private final List<ObjectNode> recorded = Collections.synchronizedList(new ArrayList<>());

    private ScenarioUpstream(List<JsonNode> loaded) throws IOException {
        for (JsonNode fixture : loaded) {
            String key = key(fixture.path("path").asText(CHAT_PATH), fixture.path("model").asText());
            if (fixtures.putIfAbsent(key, fixture) != null) {
                throw new IllegalArgumentException("two fixtures answer " + key);
            }
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scenario-upstream");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Loads every {@code *.json} fixture in {@code directory} and starts on an ephemeral loopback port. */
    public static ScenarioUpstream start(Path directory) {
        List<JsonNode> loaded = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode fixture = JSON.readTree(file.toFile());
                if (!fixture.path("model").isTextual() || !fixture.path("replies").isArray() || fixture.path("replies").isEmpty()) {
                    throw new IllegalArgumentException(file + ": a fixture needs \"model\" and at least one of \"replies\"");
                }
                loaded.add(fixture);
            }
            return new ScenarioUpstream(loaded);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load fixtures from " + directory, e);
        }
    }

    /** The upstream model names the fixtures answer to (one Meridian route each), in file order. */
    public List<String> models() {
        return fixtures.values().stream().map(f -> f.path("model").asText()).distinct().toList();
    }

    /** The models of the fixtures answering at {@code path} ({@value #CHAT_PATH}, {@code /v1/messages}, ...), in file order. */
    public List<String> models(String path) {
        return fixtures.values().stream().filter(f -> f.path("path").asText(CHAT_PATH).equals(path))
                .map(f -> f.path("model").asText()).distinct().toList();
    }

    /** {@code http://127.0.0.1:port} (append {@code /v1} for an OpenAI base URL). */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requestCount() {
        return recorded.size();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static String key(String path, String model) {
        return path + " " + model;
    }

    /**
     * Which reply of a fixture a request gets: the number of assistant turns in its history (an agent's
     * first call is turn 0, the call after the tool results turn 1, ...). For {@code messages}-shaped bodies
     * (Chat Completions, Anthropic Messages) that is the assistant messages; for the Responses API's
     * {@code input}, the items that are function calls or assistant messages.
     */
    static int turnOf(JsonNode body) {
        int turns = 0;
        for (JsonNode message : body.path("messages")) {
            if ("assistant".equals(message.path("role").asText())) {
                turns++;
            }
        }
        for (JsonNode item : body.path("input")) {
            if ("function_call".equals(item.path("type").asText()) || "assistant".equals(item.path("role").asText())) {
                turns++;
            }
        }
        return turns;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (uri.getPath().equals("/__recorded")) {
                recordedSince(exchange, uri.getQuery());
                return;
            }
            JsonNode body = parse(text);
            record(exchange, uri, text, body);
            if (uri.getPath().equals("/v1/models")) {
                ArrayNode data = JSON.createArrayNode();
                models().forEach(m -> data.addObject().put("id", m).put("object", "model").put("owned_by", "scenario"));
                ObjectNode list = JSON.createObjectNode().put("object", "list");
                list.set("data", data);
                send(exchange, 200, list.toString());
                return;
            }
            String model = body == null ? "" : body.path("model").asText("");
            JsonNode fixture = fixtures.get(key(uri.getPath(), model));
            if (fixture == null) {
                send(exchange, 404, error("no fixture answers model '" + model + "' at " + uri.getPath()));
                return;
            }
            JsonNode replies = fixture.get("replies");
            JsonNode reply = replies.get(Math.min(turnOf(body), replies.size() - 1));
            int status = reply.path("status").asInt(200);
            boolean stream = body.path("stream").asBoolean(false);
            if (status != 200 || !stream) {
                if (!reply.has("json")) {
                    send(exchange, 500, error("fixture '" + model + "' has no whole (\"json\") reply"));
                    return;
                }
                send(exchange, status, reply.get("json").toString());
                return;
            }
            if (!reply.path("events").isArray()) {
                send(exchange, 500, error("fixture '" + model + "' has no streamed (\"events\") reply"));
                return;
            }
            stream(exchange, fixture.path("framing").asText("data"), reply.get("events"),
                    body.path("stream_options").path("include_usage").asBoolean(false));
        }
    }

    private void record(HttpExchange exchange, URI uri, String text, JsonNode body) {
        ObjectNode request = JSON.createObjectNode();
        request.put("method", exchange.getRequestMethod());
        request.put("path", uri.getPath());
        ObjectNode headers = request.putObject("headers");
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values)));
        if (body != null) {
            request.set("body", body);
        } else {
            request.put("body", text);
        }
        recorded.add(request);
    }

    private void recordedSince(HttpExchange exchange, String query) throws IOException {
        int from = 0;
        if (query != null && query.startsWith("from=")) {
            from = Integer.parseInt(query.substring(5));
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode requests = answer.putArray("requests");
        synchronized (recorded) {
            answer.put("count", recorded.size());
            for (int i = Math.max(0, from); i < recorded.size(); i++) {
                requests.add(recorded.get(i));
            }
        }
        send(exchange, 200, answer.toString());
    }

    private static void stream(HttpExchange exchange, String framing, JsonNode events, boolean includeUsage) throws IOException {
        exchange.getResponseHeaders().set("content-type", "text/event-stream");
        exchange.getResponseHeaders().set("cache-control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        boolean named = framing.equals("named");
        for (JsonNode event : events) {
            String frame;
            if (named) {
                frame = "event: " + event.path("event").asText() + "\ndata: " + event.get("data") + "\n\n";
            } else {
                boolean usageOnly = event.path("choices").isArray() && event.path("choices").isEmpty() && event.hasNonNull("usage");
                if (usageOnly && !includeUsage) {
                    continue; // OpenAI sends the usage chunk only to a client that asked for it
                }
                frame = "data: " + event + "\n\n";
            }
            out.write(frame.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        if (!named) {
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String error(String message) {
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("message", message).put("type", "invalid_request_error").putNull("param").put("code", "fixture_missing");
        return error.toString();
    }

    private static JsonNode parse(String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
