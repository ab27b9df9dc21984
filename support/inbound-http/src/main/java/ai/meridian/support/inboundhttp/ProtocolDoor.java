package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.tenancy.RateLimitStatus;
import io.micronaut.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * A protocol door other than OpenAI's that answers on its own paths (Anthropic's {@code /v1/messages}): how it reads
 * credentials and how it writes errors. The shared HTTP infrastructure (authentication, exception handlers, the
 * framework's own errors) asks the door of a request's path, so every error a client of that door sees is in its
 * protocol's shape; requests on no door's path are answered in OpenAI's. Doors are beans; this package knows none of
 * them.
 */
public interface ProtocolDoor {
    /** The request attribute holding the door of the request, set when the request is authenticated. */
    String ATTRIBUTE = "meridian.protocol-door";

    /** True for the request paths (without query) this door answers. */
    boolean serves(String path);

    /** True when the door takes the key from an {@code x-api-key} header too (besides {@code Authorization: Bearer}). */
    boolean acceptsApiKeyHeader();

    /** What a request without a key is told. */
    String missingKeyMessage();

    /** The HTTP status this door answers {@code error} with. */
    int status(GatewayError error);

    /** The error body in the door's protocol. */
    byte[] errorBody(GatewayError error);

    /** The door's own rate-limit headers, written besides OpenAI's {@code x-ratelimit-*} ones (none by default). */
    default void writeRateLimitHeaders(RateLimitStatus status, BiConsumer<String, String> header) {
    }

    /** The door a request was found to belong to, if any. */
    static Optional<ProtocolDoor> of(HttpRequest<?> request) {
        return request.getAttribute(ATTRIBUTE, ProtocolDoor.class);
    }

    /** The door of {@code path} among {@code doors}. */
    static Optional<ProtocolDoor> forPath(List<ProtocolDoor> doors, String path) {
        for (ProtocolDoor door : doors) {
            if (door.serves(path)) {
                return Optional.of(door);
            }
        }
        return Optional.empty();
    }
}
