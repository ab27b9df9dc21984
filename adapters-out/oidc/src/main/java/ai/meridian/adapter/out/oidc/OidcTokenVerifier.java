package ai.meridian.adapter.out.oidc;

import ai.meridian.application.port.out.VerifyTokenPort;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies OIDC access tokens (compact JWS) against the provider's JWKS, held in memory: verification never waits
 * on the network. The key set is fetched at start, every refresh interval, and when a token names a key id it does
 * not know (at most once every few seconds, in the background, so a provider's key rotation is picked up without a
 * restart while forged key ids cannot make the gateway hammer the provider). Only the configured asymmetric
 * algorithms are accepted: {@code alg: none}, HMAC (the "public key as HMAC secret" confusion) and anything else
 * are refused before any key is looked at.
 */
public final class OidcTokenVerifier implements VerifyTokenPort, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OidcTokenVerifier.class);
    private static final Duration MIN_REFETCH = Duration.ofSeconds(5);
    private static final int MAX_TOKEN_CHARS = 16 * 1024;

    private final OidcSettings settings;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService refresher;
    private final AtomicBoolean fetching = new AtomicBoolean();
    private volatile Map<String, JWSVerifier> verifiers = Map.of();
    private volatile Map<String, JWSAlgorithm> keyAlgorithms = Map.of();
    private volatile Instant lastFetch = Instant.EPOCH;

    public OidcTokenVerifier(OidcSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(settings.fetchTimeout()).followRedirects(HttpClient.Redirect.NORMAL).build();
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "meridian-oidc-jwks");
            t.setDaemon(true);
            return t;
        });
    }

    /** Fetches the keys now (waiting up to the fetch timeout) and then every refresh interval. */
    public OidcTokenVerifier start() {
        try {
            fetch().get(settings.fetchTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("OIDC keys could not be fetched from {} at start-up ({}); tokens are refused until they can be", settings.jwksUrl(),
                    e.getMessage());
        }
        long every = settings.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(() -> fetch(), every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Fetches the JWKS (one fetch at a time) and replaces the keys held. */
    public CompletableFuture<Void> fetch() {
        if (!fetching.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        lastFetch = clock.instant();
        HttpRequest request = HttpRequest.newBuilder(settings.jwksUrl()).timeout(settings.fetchTimeout())
                .header("accept", "application/json").GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenAccept(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("JWKS answered HTTP " + response.statusCode());
            }
            try {
                load(JWKSet.parse(response.body()));
            } catch (java.text.ParseException e) {
                throw new IllegalStateException("JWKS is not a JSON Web Key Set: " + e.getMessage(), e);
            }
        }).whenComplete((ok, error) -> {
            fetching.set(false);
            if (error != null) {
                LOG.warn("OIDC keys could not be fetched from {}: {}", settings.jwksUrl(), error.getMessage());
            }
        });
    }

    private void load(JWKSet set) {
        Map<String, JWSVerifier> loaded = new HashMap<>();
        Map<String, JWSAlgorithm> algorithms = new HashMap<>();
        for (JWK key : set.getKeys()) {
            if (key.getKeyID() == null || key.getKeyUse() != null && key.getKeyUse() != KeyUse.SIGNATURE) {
                continue;
            }
            try {
                if (key instanceof RSAKey rsa) {
                    loaded.put(key.getKeyID(), new RSASSAVerifier(rsa));
                } else if (key instanceof ECKey ec) {
                    loaded.put(key.getKeyID(), new ECDSAVerifier(ec));
                } else {
                    continue;
                }
                if (key.getAlgorithm() != null) {
                    algorithms.put(key.getKeyID(), JWSAlgorithm.parse(key.getAlgorithm().getName()));
                }
            } catch (Exception e) {
                LOG.warn("OIDC key {} skipped: {}", key.getKeyID(), e.getMessage());
            }
        }
        verifiers = Map.copyOf(loaded);
        keyAlgorithms = Map.copyOf(algorithms);
        LOG.info("OIDC keys loaded from {}: {}", settings.jwksUrl(), loaded.keySet());
    }

    @Override
    public boolean handles(String token) {
        if (token == null || token.length() > MAX_TOKEN_CHARS || !token.startsWith("eyJ")) {
            return false;
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return first > 0 && second > first && token.indexOf('.', second + 1) < 0;
    }

    @Override
    public Verification verify(String token) {
        if (!handles(token)) {
            return Verification.invalid("not a compact JWS");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (java.text.ParseException e) {
            return Verification.invalid("unparsable token");
        }
        JWSHeader header = jwt.getHeader();
        String alg = header.getAlgorithm() == null ? "none" : header.getAlgorithm().getName();
        if (!settings.algorithms().contains(alg)) {
            return Verification.invalid("algorithm " + alg + " is not accepted");
        }
        String kid = header.getKeyID();
        JWSVerifier verifier = kid == null ? null : verifiers.get(kid);
        if (verifier == null) {
            if (Duration.between(lastFetch, clock.instant()).compareTo(MIN_REFETCH) >= 0) {
                fetch(); // perhaps the provider rotated its keys: look again, in the background
            }
            return Verification.invalid("unknown signing key " + kid);
        }
        JWSAlgorithm keyAlgorithm = keyAlgorithms.get(kid);
        if (keyAlgorithm != null && !keyAlgorithm.getName().equals(alg)) {
            return Verification.invalid("algorithm " + alg + " does not match key " + kid);
        }
        try {
            if (!verifier.supportedJWSAlgorithms().contains(header.getAlgorithm()) || !jwt.verify(verifier)) {
                return Verification.invalid("bad signature");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Instant now = clock.instant();
            long skew = settings.clockSkew().toSeconds();
            Date exp = claims.getExpirationTime();
            if (exp == null || now.isAfter(exp.toInstant().plusSeconds(skew))) {
                return Verification.invalid("expired");
            }
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && now.plusSeconds(skew).isBefore(nbf.toInstant())) {
                return Verification.invalid("not yet valid");
            }
            if (!settings.issuer().equals(claims.getIssuer())) {
                return Verification.invalid("wrong issuer");
            }
            List<String> audience = claims.getAudience();
            if (audience == null || !audience.contains(settings.audience())) {
                return Verification.invalid("wrong audience");
            }
            return Verification.valid(claims.toJSONObject());
        } catch (Exception e) {
            return Verification.invalid("invalid token: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
