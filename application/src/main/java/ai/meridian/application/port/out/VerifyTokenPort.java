package ai.meridian.application.port.out;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks a bearer token issued by an identity provider (an OIDC JWT): signature against the provider's published
 * keys, issuer, audience, expiry. Answers from keys it already holds, without waiting on the network (an unknown
 * signing key makes it fetch the provider's keys in the background, and this token is refused).
 */
public interface VerifyTokenPort {

    /** True when the token has the shape this verifier handles (e.g. a compact JWS); cheap. */
    boolean handles(String token);

    /** The verified token's claims, or empty with nothing said when it is not valid (the reason is in the result). */
    Verification verify(String token);

    /** A verification: the claims when valid, else why not (for the audit log; never shown to the caller). */
    record Verification(Optional<Map<String, Object>> claims, String failure) {
        public Verification {
            Objects.requireNonNull(claims, "claims");
            failure = failure == null ? "" : failure;
        }

        public static Verification valid(Map<String, Object> claims) {
            return new Verification(Optional.of(Map.copyOf(claims)), "");
        }

        public static Verification invalid(String why) {
            return new Verification(Optional.empty(), why);
        }
    }
}
