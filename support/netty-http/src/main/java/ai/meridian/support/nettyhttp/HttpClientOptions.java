package ai.meridian.support.nettyhttp;

import java.time.Duration;

/** Connection handling: connect timeout, idle keep-alive timeout, and connections per event loop. */
public record HttpClientOptions(Duration connectTimeout, Duration idleTimeout, int maxConnectionsPerLoop) {

    public HttpClientOptions {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connect-timeout must be positive");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle-timeout must be positive");
        }
        if (maxConnectionsPerLoop < 1) {
            throw new IllegalArgumentException("max-connections must be positive");
        }
    }
}
