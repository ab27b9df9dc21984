package ai.meridian.application.port.in;

import java.util.Objects;

/**
 * Who is asking and under which request: the request id, the tenant, a stable key for the caller
 * (canary routing hashes it), the client's W3C traceparent if any, and when the request arrived.
 */
public record CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos) {

    public CallerContext {
        Objects.requireNonNull(requestId, "requestId");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        callerKey = callerKey == null ? "" : callerKey;
    }
}
