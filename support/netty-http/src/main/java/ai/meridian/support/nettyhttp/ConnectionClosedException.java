package ai.meridian.support.nettyhttp;

import java.io.IOException;

/** The upstream closed or reset the connection before the response was complete. */
public final class ConnectionClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }
}
