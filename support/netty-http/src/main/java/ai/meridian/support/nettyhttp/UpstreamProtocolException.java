package ai.meridian.support.nettyhttp;

import java.io.IOException;

/** The upstream sent something that is not valid HTTP or not the format it promised. */
public final class UpstreamProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public UpstreamProtocolException(String message) {
        super(message);
    }
}
