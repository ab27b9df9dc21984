package ai.meridian.adapter.in.anthropic;

import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.tenancy.RateLimitStatus;
import ai.meridian.support.inboundhttp.ProtocolDoor;
import jakarta.inject.Singleton;
import java.util.function.BiConsumer;

/**
 * The Anthropic door's paths ({@code /v1/messages} and below): keys from {@code x-api-key} or Bearer, errors as
 * Anthropic's {@code {"type":"error","error":{"type","message"}}} with its statuses (see {@link AnthropicErrors}).
 */
@Singleton
final class AnthropicDoor implements ProtocolDoor {
    static final String PATH = "/v1/messages";

    @Override
    public boolean serves(String path) {
        return path.equals(PATH) || path.startsWith(PATH + "/");
    }

    @Override
    public boolean acceptsApiKeyHeader() {
        return true;
    }

    @Override
    public String missingKeyMessage() {
        return "x-api-key header is required (or an Authorization: Bearer header).";
    }

    @Override
    public int status(GatewayError error) {
        return AnthropicErrors.status(error);
    }

    @Override
    public byte[] errorBody(GatewayError error) {
        return AnthropicJsonWriter.error(error);
    }

    @Override
    public void writeRateLimitHeaders(RateLimitStatus status, BiConsumer<String, String> header) {
        AnthropicRateLimitHeaders.write(status, header);
    }
}
