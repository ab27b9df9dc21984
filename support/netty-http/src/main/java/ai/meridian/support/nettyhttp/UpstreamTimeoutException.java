package ai.meridian.support.nettyhttp;

import java.io.IOException;

/** A deadline of ours (first token, total) passed before the upstream delivered. */
public final class UpstreamTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public UpstreamTimeoutException(String message) {
        super(message);
    }
}
