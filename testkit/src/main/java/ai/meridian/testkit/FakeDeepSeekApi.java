package ai.meridian.testkit;

import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The DeepSeek API on loopback, speaking its wire format as DeepSeek documents it (api-docs.deepseek.com):
 * {@code GET /models} lists the served models; {@code POST /chat/completions} answers whole or as SSE, with
 * <ul>
 * <li>thinking mode: on by default for the V4 models and {@code deepseek-reasoner}, off for {@code deepseek-chat},
 *     switched by {@code "thinking": {"type": "enabled"|"disabled"}}; the chain of thought comes as
 *     {@code reasoning_content} (whole) or {@code delta.reasoning_content} (stream), before the answer;</li>
 * <li>tool calls: with {@code tools} and a user's question last, the model calls the first tool (arguments: its first
 *     parameter set to the question), {@code finish_reason: "tool_calls"}; after a tool's result it answers with it. In
 *     thinking mode an earlier assistant turn that called tools must come back with its {@code reasoning_content},
 *     else 400 "The `reasoning_content` in the thinking mode must be passed back to the API.";</li>
 * <li>usage with DeepSeek's cache fields: {@code prompt_cache_hit_tokens}, {@code prompt_cache_miss_tokens}, and
 *     {@code prompt_tokens_details.cached_tokens}, {@code completion_tokens_details.reasoning_tokens}; in a stream, in
 *     a last chunk with empty {@code choices} when {@code stream_options.include_usage} is set.</li>
 * </ul>
 * Requests need {@code Authorization: Bearer <key>}. Paths are accepted with and without the {@code /v1} prefix.
 */
public final class FakeDeepSeekApi implements AutoCloseable {
    public static final String REASONING_MUST_COME_BACK = "The `reasoning_content` in the thinking mode must be passed back to the API.";

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-deepseek");
        t.setDaemon(true);
        return t;
    });
    private final String apiKey;
    private final List<String> served;
    private final List<Recorded> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean listingFails;

    /** A request as received: method, path, and body. */
    public record Recorded(String method, String path, String body) {
    }

    private FakeDeepSeekApi(String apiKey, List<String> served) throws IOException {
        this.apiKey = apiKey;
        this.served = List.copyOf(served);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A fake serving these models to callers with this key. */
    public static FakeDeepSeekApi start(String apiKey, List<String> served) {
        try {
            return new FakeDeepSeekApi(apiKey, served);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL, as {@code DEEPSEEK_BASE_URL} takes it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on {@code GET /models} answers 503 (or lists again). */
    public void listingFails(boolean fails) {
        listingFails = fails;
    }

    public List<Recorded> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The chat requests' bodies, in order. */
    public List<String> chatBodies() {
        return requests().stream().filter(r -> r.path().endsWith("/chat/completions")).map(Recorded::body).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath().replaceFirst("^/v1", "");
            requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), body));
            if (!("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                json(exchange, 401, "{\"error\":{\"message\":\"Authentication Fails, Your api key: ****" + " is invalid\",\"type\":"
                        + "\"authentication_error\",\"param\":null,\"code\":\"invalid_request_error\"}}");
                return;
            }
            if (path.equals("/models") && exchange.getRequestMethod().equals("GET")) {
                if (listingFails) {
                    json(exchange, 503, "{\"error\":{\"message\":\"Server overloaded\",\"type\":\"server_error\"}}");
                    return;
                }
                StringBuilder list = new StringBuilder("{\"object\":\"list\",\"data\":[");
                for (int i = 0; i < served.size(); i++) {
                    list.append(i > 0 ? "," : "").append("{\"id\":").append(RawJson.quote(served.get(i)))
                            .append(",\"object\":\"model\",\"owned_by\":\"deepseek\"}");
                }
                json(exchange, 200, list.append("]}").toString());
                return;
            }
            if (path.equals("/chat/completions") && exchange.getRequestMethod().equals("POST")) {
                chat(exchange, body);
                return;
            }
            json(exchange, 404, "{\"error\":{\"message\":\"Not Found\",\"type\":\"invalid_request_error\"}}");
        }
    }

    private void chat(HttpExchange exchange, String body) throws IOException {
        Map<String, String> request;
        try {
            request = RawJson.objectMembers(body);
        } catch (IllegalArgumentException e) {
            json(exchange, 400, error("Failed to deserialize the JSON body into the target type"));
            return;
        }
        String model = RawJson.stringValue(request.getOrDefault("model", "null"));
        if (model == null || !(served.contains(model) || model.equals("deepseek-chat") || model.equals("deepseek-reasoner"))) {
            json(exchange, 400, error("Model Not Exist"));
            return;
        }
        boolean thinking = !model.equals("deepseek-chat");
        String thinkingField = request.get("thinking");
        if (thinkingField != null && RawJson.isObject(thinkingField)) {
            String type = RawJson.stringValue(RawJson.objectMembers(thinkingField).getOrDefault("type", "null"));
            thinking = "enabled".equals(type) || (!"disabled".equals(type) && thinking);
        }
        List<Map<String, String>> messages = objects(request.get("messages"));
        if (thinking) {
            for (Map<String, String> m : messages) {
                if ("\"assistant\"".equals(m.get("role")) && m.containsKey("tool_calls") && !m.containsKey("reasoning_content")) {
                    json(exchange, 400, error(REASONING_MUST_COME_BACK));
                    return;
                }
            }
        }
        Map<String, String> last = messages.isEmpty() ? Map.of() : messages.get(messages.size() - 1);
        String lastRole = RawJson.stringValue(last.getOrDefault("role", "null"));
        String lastText = last.containsKey("content") ? RawJson.stringValue(last.get("content")) : null;
        List<Map<String, String>> tools = objects(request.get("tools"));
        String reasoning = null;
        String content;
        String[] call = null;
        if (!tools.isEmpty() && "user".equals(lastRole)) {
            Map<String, String> function = RawJson.objectMembers(tools.get(0).get("function"));
            String name = RawJson.stringValue(function.get("name"));
            String param = "input";
            if (function.containsKey("parameters")) {
                Map<String, String> properties = RawJson.objectMembers(RawJson.objectMembers(function.get("parameters")).getOrDefault("properties", "{}"));
                if (!properties.isEmpty()) {
                    param = properties.keySet().iterator().next();
                }
            }
            call = new String[] {"call_00_" + ids.incrementAndGet(), name, "{\"" + param + "\":" + RawJson.quote(lastText == null ? "" : lastText) + "}"};
            content = "";
            reasoning = thinking ? "The user asks something " + name + " can answer. I will call it." : null;
        } else if ("tool".equals(lastRole)) {
            content = "Tool result: " + lastText;
            reasoning = thinking ? "The tool answered; I will report it." : null;
        } else {
            content = "Hello from DeepSeek.";
            reasoning = thinking ? "The user greets me; I greet back." : null;
        }
        boolean stream = "true".equals(request.get("stream"));
        String options = request.get("stream_options");
        boolean includeUsage = options != null && RawJson.isObject(options) && "true".equals(RawJson.objectMembers(options).get("include_usage"));
        int promptTokens = 10 + body.length() / 40;
        int cached = promptTokens / 2;
        int reasoningTokens = reasoning == null ? 0 : reasoning.split(" ").length;
        int completionTokens = reasoningTokens + Math.max(1, content.split(" ").length);
        String usage = "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                + (promptTokens + completionTokens) + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + "},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoningTokens + "},"
                + "\"prompt_cache_hit_tokens\":" + cached + ",\"prompt_cache_miss_tokens\":" + (promptTokens - cached) + "}";
        String id = "fake-" + ids.incrementAndGet();
        String finish = call != null ? "tool_calls" : "stop";
        String head = "\"id\":\"" + id + "\",\"created\":1795000000,\"model\":" + RawJson.quote(model) + ",\"system_fingerprint\":\"fp_fake_prod0820\"";
        if (!stream) {
            StringBuilder message = new StringBuilder("{\"role\":\"assistant\",\"content\":").append(call != null ? "\"\"" : RawJson.quote(content));
            if (reasoning != null) {
                message.append(",\"reasoning_content\":").append(RawJson.quote(reasoning));
            }
            if (call != null) {
                message.append(",\"tool_calls\":[{\"index\":0,\"id\":\"").append(call[0]).append("\",\"type\":\"function\",\"function\":{\"name\":")
                        .append(RawJson.quote(call[1])).append(",\"arguments\":").append(RawJson.quote(call[2])).append("}}]");
            }
            json(exchange, 200, "{" + head + ",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":" + message
                    + "},\"logprobs\":null,\"finish_reason\":\"" + finish + "\"}],\"usage\":" + usage + "}");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        String chunk = "{" + head + ",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":";
        event(out, chunk + "{\"role\":\"assistant\",\"content\":null" + (reasoning != null ? ",\"reasoning_content\":\"\"" : "")
                + "},\"logprobs\":null,\"finish_reason\":null}]}");
        if (reasoning != null) {
            for (String piece : words(reasoning)) {
                event(out, chunk + "{\"content\":null,\"reasoning_content\":" + RawJson.quote(piece) + "},\"logprobs\":null,\"finish_reason\":null}]}");
            }
        }
        if (call != null) {
            event(out, chunk + "{\"tool_calls\":[{\"index\":0,\"id\":\"" + call[0] + "\",\"type\":\"function\",\"function\":{\"name\":"
                    + RawJson.quote(call[1]) + ",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}");
            for (int i = 0; i < call[2].length(); i += 5) {
                event(out, chunk + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
                        + RawJson.quote(call[2].substring(i, Math.min(call[2].length(), i + 5))) + "}}]},\"logprobs\":null,\"finish_reason\":null}]}");
            }
        } else {
            for (String piece : words(content)) {
                event(out, chunk + "{\"content\":" + RawJson.quote(piece) + ",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null}]}");
            }
        }
        event(out, chunk + "{\"content\":\"\",\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":\"" + finish + "\"}]"
                + (includeUsage ? "" : ",\"usage\":" + usage) + "}");
        if (includeUsage) {
            event(out, "{" + head + ",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":" + usage + "}");
        }
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static List<String> words(String text) {
        List<String> pieces = new ArrayList<>();
        String[] words = text.split(" ");
        for (int i = 0; i < words.length; i++) {
            pieces.add(i == 0 ? words[i] : " " + words[i]);
        }
        return pieces;
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String error(String message) {
        return "{\"error\":{\"message\":" + RawJson.quote(message) + ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_request_error\"}}";
    }

    private static void json(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** The objects of a JSON array given as text (none when absent). */
    private static List<Map<String, String>> objects(String array) {
        List<Map<String, String>> objects = new ArrayList<>();
        if (array == null || !array.stripLeading().startsWith("[")) {
            return objects;
        }
        try (JsonParser p = RawJson.FACTORY.createParser(array)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.START_OBJECT) {
                objects.add(RawJson.readObject(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }
}
