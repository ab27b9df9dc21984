package ai.meridian.domain.error;

import ai.meridian.domain.tenancy.RateLimitStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * An error as the client will see it: kind (status and type), a message, the offending parameter
 * and a machine-readable code. {@code retryAfter} is set for rate limits; {@code rateLimit} says where the
 * caller stands against its limits when the gateway refused it for them (every door writes it in its
 * protocol's headers).
 */
public record GatewayError(ErrorKind kind, String message, String param, String code, Duration retryAfter, RateLimitStatus rateLimit) {

    public GatewayError(ErrorKind kind, String message, String param, String code, Duration retryAfter) {
        this(kind, message, param, code, retryAfter, RateLimitStatus.NONE);
    }

    public GatewayError {
        Objects.requireNonNull(kind, "kind");
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("an error needs a message");
        }
        if (code == null) {
            code = kind.defaultCode();
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative");
        }
        rateLimit = rateLimit == null ? RateLimitStatus.NONE : rateLimit;
    }

    public static GatewayError of(ErrorKind kind, String message) {
        return new GatewayError(kind, message, null, null, null);
    }

    public static GatewayError invalid(String param, String message) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, message, param, "invalid_value", null);
    }

    public int httpStatus() {
        return kind.httpStatus();
    }
}
