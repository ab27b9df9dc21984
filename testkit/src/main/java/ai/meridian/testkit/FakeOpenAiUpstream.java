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
 * An OpenAI-compatible {@code /v1/chat/completions} (and legacy {@code /v1/completions}) server on loopback, written on plain sockets so it
 * can misbehave at the byte level: statuses with Retry-After, slow first tokens, streams cut by a TCP
 * reset, hangs, garbage. It speaks HTTP/1.1 with keep-alive, JSON answers with Content-Length and SSE
 * answers with chunked encoding, like vLLM and the DeepSeek API do.
 */
public final class FakeOpenAiUpstream implements Closeable {
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"([^\"]*)\"");

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-openai-upstream");
        t.setDaemon(true);
        return t;
    });
    private final Queue<UpstreamBehavior> script = new ConcurrentLinkedQueue<>();
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<RecordedRequest> modelListRequests = Collections.synchronizedList(new ArrayList<>());
    private volatile int modelListStatus = 200;
    private volatile String modelList = "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\",\"object\":\"model\",\"owned_by\":\"fake\"}]}";
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger disconnects = new AtomicInteger();
    private volatile long lastDisconnectNanos;
    /** Streamed answers being written now (a request whose answer has begun and not ended or been abandoned). */
    private final AtomicInteger streaming = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile UpstreamBehavior fallbackBehavior = UpstreamBehavior.answer("Hello", " from", " the", " fake", " upstream.");
    /** When set, decides each request's behaviour from the request itself (scripted behaviours still come first). */
    private volatile java.util.function.Function<RecordedRequest, UpstreamBehavior> responder;
    private volatile boolean closed;

    /** A request as the fake received it; header names in lower case. */
    public record RecordedRequest(String method, String path, Map<String, String> headers, String body) {
    }

    private FakeOpenAiUpstream(int port) throws IOException {
        server = new ServerSocket(port, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public static FakeOpenAiUpstream start() {
        return start(0);
    }

    public static FakeOpenAiUpstream start(int port) {
        try {
            return new FakeOpenAiUpstream(port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start fake upstream", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The base URL a backend is configured with, ending in {@code /v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** The next requests take these behaviours in order; after that the default applies. */
    public FakeOpenAiUpstream enqueue(UpstreamBehavior... behaviors) {
        script.addAll(List.of(behaviors));
        return this;
    }

    /** Answers each request as {@code decide} says for it (after the scripted behaviours are used up). */
    public FakeOpenAiUpstream respondWith(java.util.function.Function<RecordedRequest, UpstreamBehavior> decide) {
        responder = decide;
        return this;
    }

    public FakeOpenAiUpstream byDefault(UpstreamBehavior behavior) {
        fallbackBehavior = behavior;
        return this;
    }

    /** The chat requests received ({@code GET /v1/models} requests are kept apart: see {@link #modelListRequests()}). */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The {@code GET /v1/models} requests received (model discovery, readiness probes). */
    public List<RecordedRequest> modelListRequests() {
        synchronized (modelListRequests) {
            return List.copyOf(modelListRequests);
        }
    }

    /** What {@code GET /v1/models} answers from now on: this status and JSON body. */
    public FakeOpenAiUpstream modelList(int status, String json) {
        modelListStatus = status;
        modelList = json;
        return this;
    }

    /** Requests that went away (client closed or reset) before their answer was complete. */
    public int clientDisconnects() {
        return disconnects.get();
    }

    /** When the fake last noticed a client going away mid-answer ({@link System#nanoTime()}), 0 if never. */
    public long lastClientDisconnectNanos() {
        return lastDisconnectNanos;
    }

    /** Streamed answers in progress now: what a gateway has open upstream. */
    public int streamsInProgress() {
        return streaming.get();
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public void reset() {
        script.clear();
        requests.clear();
        modelListRequests.clear();
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

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                connections.incrementAndGet();
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
                boolean listing = request.path().startsWith("/v1/models");
                (listing ? modelListRequests : requests).add(request);
                UpstreamBehavior behavior = listing ? null : nextBehavior(request);
                if (!respond(socket, in, out, request, behavior)) {
                    return;
                }
            }
        } catch (ClientGone e) {
            lastDisconnectNanos = System.nanoTime();
            disconnects.incrementAndGet();
        } catch (IOException e) {
            // the client closed a kept-alive connection, or a test reset it: nothing to do
        } finally {
            open.remove(socket);
        }
    }

    private UpstreamBehavior nextBehavior(RecordedRequest request) {
        UpstreamBehavior next = script.poll();
        if (next != null) {
            return next;
        }
        java.util.function.Function<RecordedRequest, UpstreamBehavior> decide = responder;
        return decide != null ? decide.apply(request) : fallbackBehavior;
    }

    /** Returns false when the connection must not be reused. */
    private boolean respond(Socket socket, InputStream in, OutputStream out, RecordedRequest request, UpstreamBehavior b)
            throws IOException {
        if (b == null) {
            writeJson(out, modelListStatus, modelList, Map.of());
            return true;
        }
        boolean stream = STREAM.matcher(request.body()).find();
        boolean includeUsage = INCLUDE_USAGE.matcher(request.body()).find();
        Matcher m = MODEL.matcher(request.body());
        String model = m.find() ? m.group(1) : "fake-model";
        String id = "chatcmpl-fake-" + counter.incrementAndGet();

        if (b.status() == 0) {
            pause(socket, in, Duration.ofDays(1)); // silent: until the client gives up
        }
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
            writeJson(out, b.status(), "{\"error\":{\"message\":" + quote(message) + ",\"type\":\"fake_error\",\"param\":null,\"code\":"
                    + b.status() + "}}", headers);
            return true;
        }
        if (b.sendsGarbage()) {
            if (stream) {
                startStream(out);
                writeChunk(out, "data: {\"id\": oops not json\n\n");
                endChunks(out);
            } else {
                writeJson(out, 200, "{\"id\":\"x\", this is not json", Map.of());
            }
            return true;
        }
        if (b.rawJson() != null || b.rawEvents() != null) {
            pause(socket, in, b.firstDelay());
            if (!stream) {
                writeJson(out, 200, b.rawJson(), Map.of());
                return true;
            }
            startStream(out);
            for (String data : b.rawEvents()) {
                pause(socket, in, b.pieceDelay());
                writeChunk(out, "data: " + data + "\n\n");
            }
            writeChunk(out, "data: [DONE]\n\n");
            endChunks(out);
            return true;
        }
        boolean text = isTextCompletion(request.path());
        if (!stream) {
            if (b.hangAfterHead()) {
                out.write(("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 4096\r\n\r\n{\"id\":\"" + id + "\",")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                pause(socket, in, Duration.ofDays(1));
            }
            if (b.hang()) {
                pause(socket, in, Duration.ofDays(1));
            }
            pause(socket, in, b.firstDelay());
            int completionTokens = b.pieces().size();
            String choice = text
                    ? "{\"index\":0,\"text\":" + quote(b.text()) + ",\"logprobs\":null,\"finish_reason\":" + quote(b.finishReason()) + "}"
                    : "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(b.text())
                    + "},\"finish_reason\":" + quote(b.finishReason()) + "}";
            writeJson(out, 200, "{\"id\":\"" + id + "\",\"object\":\"" + (text ? "text_completion" : "chat.completion") + "\",\"created\":" + now()
                    + ",\"model\":" + quote(model) + ",\"choices\":[" + choice + "],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":"
                    + completionTokens + ",\"total_tokens\":" + (11 + completionTokens) + "}}", Map.of());
            return true;
        }
        streaming.incrementAndGet();
        try {
            return streamPieces(socket, in, out, b, id, model, includeUsage, text);
        } finally {
            streaming.decrementAndGet();
        }
    }

    private boolean streamPieces(Socket socket, InputStream in, OutputStream out, UpstreamBehavior b, String id, String model,
                                 boolean includeUsage, boolean text) throws IOException {
        startStream(out);
        if (!text) {
            writeChunk(out, event(id, model, "{\"role\":\"assistant\",\"content\":\"\"}", null));
        }
        if (b.hang()) {
            pause(socket, in, Duration.ofDays(1));
        }
        pause(socket, in, b.firstDelay());
        List<String> pieces = b.pieces();
        for (int i = 0; i < pieces.size(); i++) {
            if (i == b.cutAfterPieces()) {
                reset(socket);
                return false;
            }
            if (i > 0) {
                pause(socket, in, i == pieces.size() - 1 && !b.pauseBeforeLast().isZero() ? b.pauseBeforeLast() : b.pieceDelay());
            }
            writeChunk(out, text ? textEvent(id, model, pieces.get(i), null) : event(id, model, "{\"content\":" + quote(pieces.get(i)) + "}", null));
        }
        if (b.cutAfterPieces() >= pieces.size()) {
            reset(socket);
            return false;
        }
        writeChunk(out, text ? textEvent(id, model, "", b.finishReason()) : event(id, model, "{}", b.finishReason()));
        if (includeUsage) {
            writeChunk(out, "data: {\"id\":\"" + id + "\",\"object\":\"" + (text ? "text_completion" : "chat.completion.chunk") + "\",\"created\":" + now() + ",\"model\":" + quote(model)
                    + ",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":" + pieces.size() + ",\"total_tokens\":"
                    + (11 + pieces.size()) + "}}\n\n");
        }
        writeChunk(out, "data: [DONE]\n\n");
        endChunks(out);
        return true;
    }

    private static String event(String id, String model, String delta, String finishReason) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + now() + ",\"model\":" + quote(model)
                + ",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + (finishReason == null ? "null" : quote(finishReason))
                + "}]}\n\n";
    }

    /** A Completions API path ({@code /v1/completions}), as opposed to chat's. */
    private static boolean isTextCompletion(String path) {
        return path.endsWith("/completions") && !path.endsWith("/chat/completions");
    }

    private static String textEvent(String id, String model, String text, String finishReason) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":" + now() + ",\"model\":" + quote(model)
                + ",\"choices\":[{\"index\":0,\"text\":" + quote(text) + ",\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : quote(finishReason)) + "}]}\n\n";
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
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
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
                + "transfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
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
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("content-type: application/json\r\ncontent-length: ").append(bytes.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 404: return "Not Found";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
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
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
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
