package ai.meridian.adapter.out.oidc;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An OIDC provider: its issuer ({@code iss} must equal it), the audience tokens must name ({@code aud}), where its
 * signing keys are published (JWKS), which algorithms are accepted (RS256 and ES256 by default; {@code none} and
 * HMAC never), the clock skew tolerated, how often the keys are fetched again, and the fetch timeout.
 */
public record OidcSettings(String issuer, String audience, URI jwksUrl, List<String> algorithms, Duration clockSkew,
                           Duration refreshInterval, Duration fetchTimeout) {
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");

    public OidcSettings {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("meridian.oidc.issuer is required");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("meridian.oidc.audience is required");
        }
        Objects.requireNonNull(jwksUrl, "meridian.oidc.jwks-url is required");
        algorithms = List.copyOf(algorithms == null || algorithms.isEmpty() ? DEFAULT_ALGORITHMS : algorithms);
        for (String alg : algorithms) {
            if (!List.of("RS256", "RS384", "RS512", "PS256", "ES256", "ES384").contains(alg)) {
                throw new IllegalArgumentException("meridian.oidc.algorithms: '" + alg + "' is not an accepted signature algorithm "
                        + "(RS256, RS384, RS512, PS256, ES256, ES384)");
            }
        }
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
    }
}
