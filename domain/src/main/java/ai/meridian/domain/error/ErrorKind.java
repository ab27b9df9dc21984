package ai.meridian.domain.error;

/** The client-visible classes of failure, with the HTTP status and OpenAI error type each maps to. */
public enum ErrorKind {
    /** The default code is the generic one; the parser names the specific problem where it can (invalid_json, invalid_type, ...). */
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request"),
    AUTHENTICATION(401, "invalid_request_error", "invalid_api_key"),
    PERMISSION(403, "invalid_request_error", "permission_denied"),
    NOT_FOUND(404, "invalid_request_error", "not_found"),
    MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed"),
    CONFLICT(409, "invalid_request_error", "conflict"),
    /** What was asked for existed and is no longer kept (a stream's events beyond its buffer's bound). */
    GONE(410, "invalid_request_error", "gone"),
    PAYLOAD_TOO_LARGE(413, "invalid_request_error", "request_too_large"),
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error", "unsupported_media_type"),
    RATE_LIMITED(429, "requests", "rate_limit_exceeded"),
    INTERNAL(500, "server_error", "internal_error"),
    BAD_GATEWAY(502, "server_error", "upstream_error"),
    UNAVAILABLE(503, "server_error", "service_unavailable"),
    TIMEOUT(504, "server_error", "upstream_timeout");

    private final int httpStatus;
    private final String type;
    private final String defaultCode;

    ErrorKind(int httpStatus, String type, String defaultCode) {
        this.httpStatus = httpStatus;
        this.type = type;
        this.defaultCode = defaultCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String type() {
        return type;
    }

    public String defaultCode() {
        return defaultCode;
    }

    /** The kind a bare HTTP status stands for, for errors raised outside the gateway's own code. */
    public static ErrorKind forStatus(int status) {
        for (ErrorKind kind : values()) {
            if (kind.httpStatus == status && kind != MODEL_NOT_FOUND) {
                return kind;
            }
        }
        return status >= 500 ? INTERNAL : INVALID_REQUEST;
    }
}
