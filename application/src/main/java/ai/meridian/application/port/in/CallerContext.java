package ai.meridian.application.port.in;

import java.util.Map;
import java.util.Objects;

/**
 * Who is asking and under which request: the request id, the tenant, a stable key for the caller
 * (canary routing hashes it), the client's W3C traceparent if any, when the request arrived, and the
 * client headers an operator allows to be forwarded to backends ({@link ForwardedHeaders}, lower-case names).
 */
public record CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos,
                            Map<String, String> headers) {

    public CallerContext {
        Objects.requireNonNull(requestId, "requestId");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        callerKey = callerKey == null ? "" : callerKey;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A caller without forwardable headers. */
    public CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos) {
        this(requestId, tenant, callerKey, traceparent, receivedAtNanos, Map.of());
    }
}
