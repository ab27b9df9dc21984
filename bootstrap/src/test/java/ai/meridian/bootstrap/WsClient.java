package ai.meridian.bootstrap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client for tests (the JDK's own): frames as parsed JSON, in order; the close code and reason. */
final class WsClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final WebSocket socket;
    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    volatile int pings;

    private WsClient(WebSocket socket) {
        this.socket = socket;
    }

    static WsClient connect(String gatewayUrl, String apiKey) {
        return connect(gatewayUrl, apiKey, null);
    }

    /** As a browser page at {@code origin} would open it (browsers always send their page's {@code Origin}). */
    static WsClient connect(String gatewayUrl, String apiKey, String origin) {
        Listener listener = new Listener();
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        if (origin != null) {
            builder.header("Origin", origin);
        }
        builder.buildAsync(URI.create(gatewayUrl.replace("http://", "ws://") + "/v1/chat/stream"), listener).join();
        return listener.client;
    }

    private static final class Listener implements WebSocket.Listener {
        WsClient client;
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            client = new WsClient(webSocket);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    client.frames.add(JSON.readTree(text.toString()));
                } catch (Exception e) {
                    client.closed.completeExceptionally(e);
                }
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            client.pings++;
            webSocket.request(1);
            return null; // the JDK answers with a pong
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            client.closed.complete(statusCode + " " + reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            client.closed.completeExceptionally(error);
        }
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    JsonNode next() throws InterruptedException {
        JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame within 10 s");
        }
        return frame;
    }

    /** The frames of request {@code id} up to and including its last (final, error or cancelled); others are kept. */
    List<JsonNode> until(String id) throws InterruptedException {
        List<JsonNode> mine = new ArrayList<>();
        List<JsonNode> others = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            JsonNode frame = frames.poll(100, TimeUnit.MILLISECONDS);
            if (frame == null) {
                continue;
            }
            if (id.equals(frame.path("id").asText(null))) {
                mine.add(frame);
                String type = frame.path("type").asText();
                if (type.equals("final") || type.equals("error") || type.equals("cancelled")) {
                    frames.addAll(others);
                    return mine;
                }
            } else {
                others.add(frame);
            }
        }
        throw new AssertionError("request " + id + " did not end: " + mine);
    }

    String closeReason() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    /** The answer text of a request's frames. */
    static String text(List<JsonNode> frames) {
        StringBuilder text = new StringBuilder();
        for (JsonNode frame : frames) {
            if (frame.path("type").asText().equals("chunk")) {
                text.append(frame.at("/chunk/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
