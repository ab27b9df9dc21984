package ai.meridian.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * A plain-socket HTTP/1.1 server on 127.0.0.1 for adapter tests: answers each request with the next
 * {@linkplain #enqueue scripted reply}, else the reply {@linkplain #route routed} to its path, else 404. It
 * records requests and counts the body bytes it managed to write, so a test can prove that a client stopped
 * reading early. Every response closes the connection.
 */
public final class LoopbackHttpServer implements AutoCloseable {
    private static final byte[] FILLER = ("<p>" + "filler ".repeat(1000) + "</p>\n").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
    });
    private final Queue<HttpReply> script = new ConcurrentLinkedQueue<>();
    private final Map<String, HttpReply> routes = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong bodyBytesWritten = new AtomicLong();
    private volatile boolean closed;

    /** A request as received; header names in lower case, the target with its query string. */
    public record RecordedRequest(String method, String target, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private LoopbackHttpServer(SSLContext tls) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        server = tls == null ? new ServerSocket(0, 100, loopback) : tls.getServerSocketFactory().createServerSocket(0, 100, loopback);
        threads.execute(this::acceptLoop);
    }

    public static LoopbackHttpServer start() {
        return start(null);
    }

    /** A server speaking HTTPS with the key and certificate of {@code tls}. */
    public static LoopbackHttpServer start(SSLContext tls) {
        try {
            return new LoopbackHttpServer(tls);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the loopback HTTP server", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:port} followed by the path. */
    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public LoopbackHttpServer enqueue(HttpReply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    public LoopbackHttpServer route(String path, HttpReply reply) {
        routes.put(path, reply);
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public RecordedRequest lastRequest() {
        List<RecordedRequest> all = requests();
        if (all.isEmpty()) {
            throw new IllegalStateException("no request was received");
        }
        return all.get(all.size() - 1);
    }

    /** Body bytes written to clients so far (for endless and dripped bodies: before the client left). */
    public long bodyBytesWritten() {
        return bodyBytesWritten.get();
    }

    public void reset() {
        script.clear();
        routes.clear();
        requests.clear();
        bodyBytesWritten.set(0);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        open.forEach(LoopbackHttpServer::closeQuietly);
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            RecordedRequest request = readRequest(in);
            if (request == null) {
                return;
            }
            requests.add(request);
            HttpReply reply = script.poll();
            if (reply == null) {
                String path = request.target().contains("?") ? request.target().substring(0, request.target().indexOf('?')) : request.target();
                reply = routes.getOrDefault(path, HttpReply.text(404, "text/plain", "not found"));
            }
            respond(socket, in, socket.getOutputStream(), reply);
        } catch (IOException e) {
            // the client went away: that is what several faults are for
        } finally {
            open.remove(socket);
        }
    }

    private void respond(Socket socket, InputStream in, OutputStream out, HttpReply reply) throws IOException {
        if (reply.reset()) {
            socket.setSoLinger(true, 0);
            socket.close();
            return;
        }
        pause(socket, in, reply.delay());
        if (reply.raw() != null) {
            out.write(reply.raw());
            out.flush();
            return;
        }
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(reply.status()).append(' ').append(reason(reply.status())).append("\r\n");
        Map<String, String> headers = new LinkedHashMap<>(reply.headers());
        if (!reply.endless() && !headers.containsKey("content-length")) {
            headers.put("content-length", String.valueOf(reply.body().length));
        }
        headers.put("connection", "close");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        if (reply.endless()) {
            while (!closed) {
                out.write(FILLER);
                bodyBytesWritten.addAndGet(FILLER.length);
            }
            return;
        }
        byte[] body = reply.body();
        int step = reply.dripBytes() > 0 ? reply.dripBytes() : Math.max(1, body.length);
        for (int at = 0; at < body.length; at += step) {
            if (at > 0 && reply.dripBytes() > 0) {
                pause(socket, in, reply.dripInterval());
            }
            int n = Math.min(step, body.length - at);
            out.write(body, at, n);
            out.flush();
            bodyBytesWritten.addAndGet(n);
        }
    }

    /** Waits, noticing within ~10 ms when the client goes away (then throws). */
    private static void pause(Socket socket, InputStream in, Duration duration) throws IOException {
        if (duration.isZero()) {
            return;
        }
        long deadline = System.nanoTime() + duration.toNanos();
        int previous = socket.getSoTimeout();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, Math.min(10, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    if (in.read() < 0) {
                        throw new IOException("client gone");
                    }
                } catch (SocketTimeoutException stillThere) {
                    // the client is still connected
                }
            }
        } finally {
            socket.setSoTimeout(previous);
        }
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
        byte[] body = in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return new RecordedRequest(parts[0], parts[1], headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String readLine(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 429: return "Too Many Requests";
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
