package ai.meridian.domain.fallback;

/**
 * Why a backend attempt failed, and what that means for the fallback plan. Which failures move on is
 * explicit here: the backend's trouble moves on, the client's own mistake does not.
 */
public enum FailureKind {
    /** Could not connect, or the connection was refused or reset before a response. */
    CONNECT(true, true),
    /**
     * Connect, first-token, read or total deadline passed. Not retried on the same route: the same wait again
     * would double the worst case of a hung backend; the next tier starts at once instead.
     */
    TIMEOUT(true, false),
    /** 429 or the backend's equivalent. */
    RATE_LIMITED(true, true),
    /** 5xx or the backend's equivalent (unavailable, internal). */
    SERVER_ERROR(true, true),
    /** The stream ended or broke before it was complete. */
    STREAM_CUT(true, true),
    /** The backend answered something we cannot parse. */
    PROTOCOL_ERROR(true, true),
    /** The backend's circuit breaker is open; try elsewhere without waiting. */
    CIRCUIT_OPEN(true, false),
    /** The backend refused the gateway's own credentials or does not know the model: a configuration fault. */
    BACKEND_REJECTED(true, false),
    /** No route of the tier can serve what the request needs (tools, images, a parameter, its size): try the next tier. */
    UNSUPPORTED(true, false),
    /** The request itself is invalid (HTTP 400 from the upstream): no other backend will do better. */
    CLIENT_ERROR(false, false);

    private final boolean movesOn;
    private final boolean retriable;

    FailureKind(boolean movesOn, boolean retriable) {
        this.movesOn = movesOn;
        this.retriable = retriable;
    }

    /** Whether the plan may go on to the next tier after this failure. */
    public boolean movesOn() {
        return movesOn;
    }

    /** Whether the same backend may be tried again after a backoff. */
    public boolean retriable() {
        return retriable;
    }

    /** Classifies an upstream HTTP status (for HTTP backends and the HTTP-like statuses of others). */
    public static FailureKind ofHttpStatus(int status) {
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status == 408) {
            return TIMEOUT;
        }
        if (status >= 500) {
            return SERVER_ERROR;
        }
        if (status == 401 || status == 403 || status == 404) {
            return BACKEND_REJECTED;
        }
        return CLIENT_ERROR;
    }
}
