package ai.meridian.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server speaking Anthropic's Messages API ({@code POST .../v1/messages}, {@code GET .../v1/models}) on loopback,
 * on plain sockets so it can misbehave at the byte level: statuses with Anthropic's error bodies and Retry-After
 * (529 {@code overloaded_error} included), slow first tokens, streams cut by a TCP reset, {@code error} events in
 * the middle of a stream, hangs, garbage. Streams are Anthropic's named events ({@code event:} and {@code data:}
 * lines, chunked, keep-alive), as Anthropic and DeepSeek's Anthropic endpoint send them. Any path prefix is taken
 * (a base URL such as {@code /anthropic}).
 */
public final class FakeAnthropicUpstream implements Closeable {
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([a-z_]+)\"");

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-anthropic-upstream");
        t.setDaemon(true);
        return t;
    });
    private final Queue<UpstreamBehavior> script = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile UpstreamBehavior fallbackBehavior = UpstreamBehavior.answer("Hello", " from", " the", " fake", " Anthropic", " upstream.");
    private volatile boolean closed;

    /** A request as the fake received it; header names in lower case. */
    public record RecordedRequest(String method, String path, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private FakeAnthropicUpstream() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public static FakeAnthropicUpstream start() {
        try {
            return new FakeAnthropicUpstream();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Anthropic upstream", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The base URL a backend (or an Anthropic SDK) is configured with; requests go to {@code <base>/v1/messages}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The next requests take these behaviours in order; after that the default applies. */
    public FakeAnthropicUpstream enqueue(UpstreamBehavior... behaviors) {
        script.addAll(List.of(behaviors));
        return this;
    }

    public FakeAnthropicUpstream byDefault(UpstreamBehavior behavior) {
        fallbackBehavior = behavior;
        return this;
    }

    /** The {@code /v1/messages} requests received. */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public RecordedRequest lastRequest() {
        List<RecordedRequest> all = requests();
        if (all.isEmpty()) {
            throw new IllegalStateException("no request was received");
        }
        return all.get(all.size() - 1);
    }

    /** Requests that went away (client closed or reset) before their answer was complete. */
    public int clientDisconnects() {
        return disconnects.get();
    }

    public void reset() {
        script.clear();
        requests.clear();
        disconnects.set(0);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        threads.shutdownNow();
    }

    // ---- building the wire format for tests that replay exact events (UpstreamBehavior.verbatim) ----

    /** A whole message with these content blocks (JSON objects), stop reason and usage. */
    public static String message(String model, String stopReason, String stopSequence, String usageJson, String... blocks) {
        return "{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model) + ",\"content\":["
                + String.join(",", blocks) + "],\"stop_reason\":" + (stopReason == null ? "null" : quote(stopReason))
                + ",\"stop_sequence\":" + (stopSequence == null ? "null" : quote(stopSequence)) + ",\"usage\":" + usageJson + "}";
    }

    public static String messageStart(String model, int inputTokens) {
        return "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_fake\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                + quote(model) + ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + inputTokens
                + ",\"output_tokens\":1}}}";
    }

    public static String blockStart(int index, String blockJson) {
        return "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":" + blockJson + "}";
    }

    public static String blockDelta(int index, String deltaJson) {
        return "{\"type\":\"content_block_delta\",\"index\":" + index + ",\"delta\":" + deltaJson + "}";
    }

    public static String textDelta(int index, String text) {
        return blockDelta(index, "{\"type\":\"text_delta\",\"text\":" + quote(text) + "}");
    }

    public static String blockStop(int index) {
        return "{\"type\":\"content_block_stop\",\"index\":" + index + "}";
    }

    public static String messageDelta(String stopReason, String stopSequence, String usageJson) {
        return "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":" + quote(stopReason) + ",\"stop_sequence\":"
                + (stopSequence == null ? "null" : quote(stopSequence)) + "},\"usage\":" + usageJson + "}";
    }

    public static String messageStop() {
        return "{\"type\":\"message_stop\"}";
    }

    public static String ping() {
        return "{\"type\":\"ping\"}";
    }

    public static String errorEvent(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":" + quote(message) + "}}";
    }

    /** The events of a plain text answer in these pieces, optionally broken off by an {@code error} event after {@code errorAfter} pieces. */
    public static List<String> textEvents(String model, List<String> pieces, int errorAfter, String errorType) {
        List<String> events = new ArrayList<>();
        events.add(messageStart(model, 11));
        events.add(blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"));
        events.add(ping());
        for (int i = 0; i < pieces.size(); i++) {
            if (i == errorAfter) {
                events.add(errorEvent(errorType, "Overloaded"));
                return events;
            }
            events.add(textDelta(0, pieces.get(i)));
        }
        events.add(blockStop(0));
        events.add(messageDelta("end_turn", null, "{\"output_tokens\":" + pieces.size() + "}"));
        events.add(messageStop());
        return events;
    }

    // ---- serving ----

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    sleep(Duration.ofMillis(5));
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                RecordedRequest request = readRequest(in);
                if (request == null) {
                    return;
                }
                String path = request.path().contains("?") ? request.path().substring(0, request.path().indexOf('?')) : request.path();
                if (request.method().equals("GET") && path.endsWith("/v1/models")) {
                    writeJson(out, 200, "{\"data\":[{\"type\":\"model\",\"id\":\"fake-claude\",\"display_name\":\"Fake Claude\","
                            + "\"created_at\":\"2025-01-01T00:00:00Z\"}],\"has_more\":false,\"first_id\":\"fake-claude\",\"last_id\":\"fake-claude\"}",
                            Map.of());
                    continue;
                }
                if (!request.method().equals("POST") || !path.endsWith("/v1/messages")) {
                    writeJson(out, 404, error("not_found_error", "Not found: " + request.method() + " " + path), Map.of());
                    continue;
                }
                requests.add(request);
                UpstreamBehavior next = script.poll();
                if (!respond(socket, in, out, request, next != null ? next : fallbackBehavior)) {
                    return;
                }
            }
        } catch (ClientGone e) {
            disconnects.incrementAndGet();
        } catch (IOException e) {
            // the client closed a kept-alive connection, or a test reset it: nothing to do
        } finally {
            open.remove(socket);
        }
    }

    /** Returns false when the connection must not be reused. */
    private boolean respond(Socket socket, InputStream in, OutputStream out, RecordedRequest request, UpstreamBehavior b) throws IOException {
        boolean stream = STREAM.matcher(request.body()).find();
        Matcher m = MODEL.matcher(request.body());
        String model = m.find() ? m.group(1) : "fake-claude";
        String id = "msg_fake_" + counter.incrementAndGet();
        if (b.resetBeforeResponse()) {
            reset(socket);
            return false;
        }
        if (b.status() != 200) {
            pause(socket, in, b.firstDelay());
            Map<String, String> headers = new LinkedHashMap<>();
            if (b.retryAfter() != null) {
                headers.put("retry-after", String.valueOf(Math.max(0, b.retryAfter().toSeconds())));
            }
            String message = b.errorMessage() == null ? "fake failure" : b.errorMessage();
            writeJson(out, b.status(), error(errorType(b.status()), message), headers);
            return true;
        }
        if (b.sendsGarbage()) {
            if (stream) {
                startStream(out);
                writeChunk(out, "event: message_start\ndata: {\"type\": oops not json\n\n");
                endChunks(out);
            } else {
                writeJson(out, 200, "{\"id\":\"x\", this is not json", Map.of());
            }
            return true;
        }
        if (b.rawJson() != null || b.rawEvents() != null) {
            pause(socket, in, b.firstDelay());
            if (!stream || b.rawEvents() == null) {
                // with no events given, a stream request is answered whole too: a server that ignores "stream": true
                writeJson(out, 200, b.rawJson(), Map.of());
                return true;
            }
            startStream(out);
            List<String> events = b.rawEvents();
            for (int i = 0; i < events.size(); i++) {
                if (i == b.cutAfterPieces()) {
                    reset(socket);
                    return false;
                }
                pause(socket, in, b.pieceDelay());
                writeChunk(out, event(events.get(i)));
            }
            endChunks(out);
            return true;
        }
        String stopReason = stopReason(b.finishReason());
        List<String> pieces = b.pieces();
        if (!stream) {
            if (b.hang()) {
                pause(socket, in, Duration.ofDays(1));
            }
            pause(socket, in, b.firstDelay());
            writeJson(out, 200, "{\"id\":\"" + id + "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":" + quote(model)
                    + ",\"content\":[{\"type\":\"text\",\"text\":" + quote(b.text()) + "}],\"stop_reason\":" + quote(stopReason)
                    + ",\"stop_sequence\":null,\"usage\":{\"input_tokens\":11,\"output_tokens\":" + Math.max(1, pieces.size()) + "}}", Map.of());
            return true;
        }
        startStream(out);
        writeChunk(out, event(messageStart(model, 11).replace("msg_fake", id)));
        writeChunk(out, event(blockStart(0, "{\"type\":\"text\",\"text\":\"\"}")));
        writeChunk(out, event(ping()));
        if (b.hang()) {
            pause(socket, in, Duration.ofDays(1));
        }
        pause(socket, in, b.firstDelay());
        for (int i = 0; i < pieces.size(); i++) {
            if (i == b.cutAfterPieces()) {
                reset(socket);
                return false;
            }
            if (i > 0) {
                pause(socket, in, i == pieces.size() - 1 && !b.pauseBeforeLast().isZero() ? b.pauseBeforeLast() : b.pieceDelay());
            }
            writeChunk(out, event(textDelta(0, pieces.get(i))));
        }
        if (b.cutAfterPieces() >= pieces.size()) {
            reset(socket);
            return false;
        }
        writeChunk(out, event(blockStop(0)));
        writeChunk(out, event(messageDelta(stopReason, null, "{\"output_tokens\":" + Math.max(1, pieces.size()) + "}")));
        writeChunk(out, event(messageStop()));
        endChunks(out);
        return true;
    }

    /** One named event: the {@code event:} line names the data's {@code type}, as Anthropic's streams do. */
    private static String event(String data) {
        Matcher type = TYPE.matcher(data);
        return "event: " + (type.find() ? type.group(1) : "message") + "\ndata: " + data + "\n\n";
    }

    private static String stopReason(String finishReason) {
        switch (finishReason) {
            case "stop":
                return "end_turn";
            case "length":
                return "max_tokens";
            case "tool_calls":
                return "tool_use";
            default:
                return finishReason;
        }
    }

    private static String errorType(int status) {
        switch (status) {
            case 400:
                return "invalid_request_error";
            case 401:
                return "authentication_error";
            case 402:
                return "billing_error";
            case 403:
                return "permission_error";
            case 404:
                return "not_found_error";
            case 413:
                return "request_too_large";
            case 429:
                return "rate_limit_error";
            case 504:
                return "timeout_error";
            case 529:
                return "overloaded_error";
            default:
                return "api_error";
        }
    }

    private static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":" + quote(type) + ",\"message\":" + quote(message) + "},\"request_id\":\"req_fake\"}";
    }

    /** Waits, but notices within ~10 ms when the client goes away. */
    private static void pause(Socket socket, InputStream in, Duration duration) throws IOException {
        if (duration.isZero()) {
            return;
        }
        long deadline = System.nanoTime() + duration.toNanos();
        int previousTimeout = socket.getSoTimeout();
        try {
            while (System.nanoTime() < deadline) {
                long leftMs = Math.max(1, Math.min(10, (deadline - System.nanoTime()) / 1_000_000));
                socket.setSoTimeout((int) leftMs);
                try {
                    if (in.read() < 0) {
                        throw new ClientGone();
                    }
                } catch (SocketTimeoutException stillThere) {
                    // the client is still connected
                } catch (ClientGone e) {
                    throw e;
                } catch (IOException e) {
                    throw new ClientGone();
                }
            }
        } finally {
            socket.setSoTimeout(previousTimeout);
        }
    }

    private static void startStream(OutputStream out) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-cache\r\n"
                + "request-id: req_fake\r\ntransfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void writeChunk(OutputStream out, String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        try {
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            throw new ClientGone();
        }
    }

    private static void endChunks(OutputStream out) throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void writeJson(OutputStream out, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(status == 200 ? "OK" : "Error").append("\r\n")
                .append("content-type: application/json\r\ncontent-length: ").append(bytes.length).append("\r\nrequest-id: req_fake\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static RecordedRequest readRequest(InputStream in) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null || requestLine.isEmpty()) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length < 2) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream collected = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(readLine(in).trim(), 16); size > 0; size = Integer.parseInt(readLine(in).trim(), 16)) {
                collected.write(in.readNBytes(size));
                readLine(in);
            }
            readLine(in);
            body = collected.toByteArray();
        } else {
            body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        }
        return new RecordedRequest(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                int len = line.length();
                return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    static String quote(String s) {
        return FakeOpenAiUpstream.quote(s);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The client went away in the middle of an answer. */
    private static final class ClientGone extends IOException {
        private static final long serialVersionUID = 1L;

        ClientGone() {
            super("client gone", null);
        }
    }
}
