package ai.meridian.application.port.in;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.domain.tenancy.Access;
import java.util.Objects;

/**
 * Who is asking and under which request: the request id, the tenant, a stable key for the caller
 * (canary routing hashes it; the key id for virtual keys), the client's W3C traceparent if any, when the
 * request arrived, what the caller may do, and the client's address (for the audit log; may be empty).
 */
public record CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos,
                            Access access, String clientAddress) {

    public CallerContext {
        Objects.requireNonNull(requestId, "requestId");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        callerKey = callerKey == null ? "" : callerKey;
        Objects.requireNonNull(access, "access");
        clientAddress = clientAddress == null ? "" : clientAddress;
    }

    /** A caller with the operator's rights: for work the gateway does for itself, and for tests. */
    public CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos) {
        this(requestId, tenant, callerKey, traceparent, receivedAtNanos, Access.OPERATOR, "");
    }

    /** The context of an authenticated caller's request. */
    public static CallerContext of(Caller caller, String requestId, String traceparent, long receivedAtNanos, String clientAddress) {
        return new CallerContext(requestId, caller.tenant(), caller.keyId(), traceparent, receivedAtNanos, caller.access(), clientAddress);
    }

    /** The key's id for limits and usage: the caller key ({@code master}, {@code anonymous} or a virtual key's id). */
    public String keyId() {
        return callerKey;
    }
}
