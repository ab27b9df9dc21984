package ai.meridian.adapter.in.websocket;

import java.time.Duration;

/**
 * The WebSocket door's limits: a ping every {@code pingInterval} (a peer that answers nothing for two intervals is
 * gone), a connection with no request in flight and no frame from the client for {@code idleTimeout} is closed, a
 * browser must send its {@code auth} frame within {@code authTimeout}, at most {@code sendBuffer} bytes may wait to be
 * sent to a slow reader (then the connection is closed with 1008 and its upstream calls cancelled), frames of at most
 * {@code maxFrameSize} bytes, and at most {@code maxRequests} requests in flight on one connection.
 */
record WebSocketSettings(Duration pingInterval, Duration idleTimeout, Duration authTimeout, long sendBuffer, int maxFrameSize, int maxRequests) {

    static final WebSocketSettings DEFAULTS = new WebSocketSettings(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofSeconds(10),
            1024 * 1024, 10 * 1024 * 1024, 16);

    WebSocketSettings {
        positive("ping-interval", pingInterval);
        positive("idle-timeout", idleTimeout);
        positive("auth-timeout", authTimeout);
        if (sendBuffer < 4096) {
            throw new IllegalArgumentException("meridian.websocket.send-buffer must be at least 4096 bytes");
        }
        if (maxFrameSize < 1024) {
            throw new IllegalArgumentException("meridian.websocket.max-frame-size must be at least 1024 bytes");
        }
        if (maxRequests < 1) {
            throw new IllegalArgumentException("meridian.websocket.max-requests-per-connection must be at least 1");
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("meridian.websocket." + key + " must be a positive duration");
        }
    }
}
