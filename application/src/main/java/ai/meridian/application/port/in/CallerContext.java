package ai.meridian.application.port.in;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.domain.tenancy.Access;
import java.util.Map;
import java.util.Objects;

/**
 * Who is asking and under which request: the request id, the tenant, a stable key for the caller (canary routing
 * hashes it; the key id for virtual keys), the client's W3C traceparent if any, when the request arrived, the client
 * headers an operator allows to be forwarded to backends ({@link ForwardedHeaders}, lower-case names), what the caller
 * may do, the client's address (for the audit log; may be empty), and what the client asked of the response cache
 * ({@link CacheDirective}: a request option and a header, so it rides with the request's other per-request context).
 */
public record CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos,
                            Map<String, String> headers, Access access, String clientAddress, CacheDirective cache) {

    public CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos,
                         Map<String, String> headers, Access access, String clientAddress) {
        this(requestId, tenant, callerKey, traceparent, receivedAtNanos, headers, access, clientAddress, CacheDirective.DEFAULT);
    }

    public CallerContext {
        Objects.requireNonNull(requestId, "requestId");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        callerKey = callerKey == null ? "" : callerKey;
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        Objects.requireNonNull(access, "access");
        clientAddress = clientAddress == null ? "" : clientAddress;
        cache = cache == null ? CacheDirective.DEFAULT : cache;
    }

    /** This context with what the client asked of the response cache. */
    public CallerContext withCache(CacheDirective directive) {
        return new CallerContext(requestId, tenant, callerKey, traceparent, receivedAtNanos, headers, access, clientAddress, directive);
    }

    /** A caller with the operator's rights and forwardable headers: for work the gateway does for itself, and for tests. */
    public CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos,
                         Map<String, String> headers) {
        this(requestId, tenant, callerKey, traceparent, receivedAtNanos, headers, Access.OPERATOR, "");
    }

    /** A caller with the operator's rights, without forwardable headers. */
    public CallerContext(String requestId, String tenant, String callerKey, String traceparent, long receivedAtNanos) {
        this(requestId, tenant, callerKey, traceparent, receivedAtNanos, Map.of());
    }

    /** The context of an authenticated caller's request. */
    public static CallerContext of(Caller caller, String requestId, String traceparent, long receivedAtNanos, String clientAddress) {
        return of(caller, requestId, traceparent, receivedAtNanos, clientAddress, Map.of());
    }

    /** The context of an authenticated caller's request, with the headers to forward. */
    public static CallerContext of(Caller caller, String requestId, String traceparent, long receivedAtNanos, String clientAddress,
                                   Map<String, String> headers) {
        return new CallerContext(requestId, caller.tenant(), caller.keyId(), traceparent, receivedAtNanos, headers, caller.access(),
                clientAddress);
    }

    /** The key's id for limits and usage: the caller key ({@code master}, {@code anonymous} or a virtual key's id). */
    public String keyId() {
        return callerKey;
    }
}
