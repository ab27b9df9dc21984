package ai.meridian.adapter.out.triton;

import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/** Classifies how a Triton call failed into the domain's failure kinds. */
final class GrpcFailures {
    private GrpcFailures() {
    }

    /**
     * A call that ended with a non-OK status. Once output has reached the caller, a broken call is a
     * cut stream (a passed deadline stays a timeout); before that, the status code decides.
     */
    static Failure ofStatus(Status status, boolean outputStarted, String where) {
        String detail = describe(status);
        if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            return Failure.of(FailureKind.TIMEOUT, where + " did not finish within the total timeout (" + detail + ")");
        }
        if (outputStarted) {
            return Failure.of(FailureKind.STREAM_CUT, where + " broke the stream after output began: " + detail);
        }
        if (neverReachedTheServer(status)) {
            FailureKind kind = causedBy(status.getCause(), ConnectTimeoutException.class) ? FailureKind.TIMEOUT : FailureKind.CONNECT;
            return Failure.of(kind, where + " cannot be reached: " + detail);
        }
        switch (status.getCode()) {
            case RESOURCE_EXHAUSTED:
                // The client's own inbound limit is reported with this code too: the answer is the problem then.
                if (status.getDescription() != null && status.getDescription().contains("exceeds maximum")) {
                    return Failure.of(FailureKind.PROTOCOL_ERROR, where + " answered more than max-message-size: " + detail);
                }
                return Failure.of(FailureKind.RATE_LIMITED, where + " is overloaded: " + detail);
            case INVALID_ARGUMENT:
            case OUT_OF_RANGE:
                return Failure.of(FailureKind.CLIENT_ERROR, where + " refused the request: " + detail);
            case NOT_FOUND:
            case UNAUTHENTICATED:
            case PERMISSION_DENIED:
            case UNIMPLEMENTED:
                return Failure.of(FailureKind.BACKEND_REJECTED, where + " rejected the call: " + detail);
            case UNAVAILABLE:
                if (status.getCause() instanceof IOException) {
                    return Failure.of(FailureKind.CONNECT, where + " dropped the connection before answering: " + detail);
                }
                return Failure.of(FailureKind.SERVER_ERROR, where + " is unavailable: " + detail);
            default:
                return Failure.of(FailureKind.SERVER_ERROR, where + " failed: " + detail);
        }
    }

    /** A request that Triton reported failed inside an open stream ({@code error_message}). */
    static Failure ofStreamError(String errorMessage, String where) {
        return Failure.of(FailureKind.SERVER_ERROR, where + " reported an error: " + truncate(errorMessage));
    }

    /** Whether the call failed before the request could reach the server, so another endpoint may take it. */
    static boolean neverReachedTheServer(Status status) {
        Throwable cause = status.getCause();
        return status.getCode() == Status.Code.UNAVAILABLE && (causedBy(cause, ConnectException.class)
                || causedBy(cause, UnknownHostException.class) || causedBy(cause, UnresolvedAddressException.class)
                || causedBy(cause, SSLException.class));
    }

    private static boolean causedBy(Throwable cause, Class<? extends Throwable> type) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Status status) {
        StringBuilder detail = new StringBuilder("gRPC ").append(status.getCode());
        if (status.getDescription() != null) {
            detail.append(' ').append(truncate(status.getDescription()));
        } else if (status.getCause() != null && status.getCause().getMessage() != null) {
            detail.append(' ').append(truncate(status.getCause().getMessage()));
        }
        return detail.toString();
    }

    private static String truncate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
