package ai.meridian.support.inboundhttp;

import java.util.List;

/**
 * Reads the credential a request presents, the same way on every door: on the OpenAI door only
 * {@code Authorization: Bearer <key>}; on doors that speak Anthropic's protocol also {@code x-api-key: <key>}.
 * Anything ambiguous is refused rather than guessed at: a bare key without {@code Bearer}, another scheme, two
 * {@code Authorization} (or two {@code x-api-key}) headers, or both headers naming different keys.
 */
public final class Credentials {
    static final String X_API_KEY = "x-api-key";

    public enum Scheme { BEARER, BEARER_OR_X_API_KEY }

    /** What the request presented. */
    public sealed interface Presented {
    }

    /** No credential at all. */
    public record Missing() implements Presented {
    }

    /** A key, syntactically acceptable (whether it is valid is the use case's question). */
    public record Token(String value) implements Presented {
    }

    /** Something that is not an acceptable way to present a key; {@code message} says what to send instead. */
    public record Malformed(String message) implements Presented {
    }

    private Credentials() {
    }

    public static Presented extract(List<String> authorization, List<String> apiKey, Scheme scheme) {
        if (authorization.size() > 1) {
            return new Malformed("Send exactly one Authorization header.");
        }
        String bearer = null;
        if (authorization.size() == 1) {
            String header = authorization.get(0).trim();
            if (header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Malformed("The Authorization header must be 'Bearer <key>' (i.e. Authorization: Bearer YOUR_KEY).");
            }
            bearer = header.substring(7).trim();
            if (bearer.isEmpty() || hasWhitespace(bearer)) {
                return new Malformed("The Authorization header must be 'Bearer <key>' (i.e. Authorization: Bearer YOUR_KEY).");
            }
        }
        if (scheme == Scheme.BEARER_OR_X_API_KEY && !apiKey.isEmpty()) {
            if (apiKey.size() > 1) {
                return new Malformed("Send exactly one x-api-key header.");
            }
            String key = apiKey.get(0).trim();
            if (key.isEmpty()) {
                return new Malformed("The x-api-key header is empty.");
            }
            if (hasWhitespace(key)) {
                return new Malformed("The x-api-key header must hold exactly one key.");
            }
            if (bearer != null && !bearer.equals(key)) {
                return new Malformed("The Authorization and x-api-key headers name different keys; send one of them.");
            }
            return new Token(key);
        }
        return bearer == null ? new Missing() : new Token(bearer);
    }

    private static boolean hasWhitespace(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isWhitespace(value.charAt(i)) || Character.isISOControl(value.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
