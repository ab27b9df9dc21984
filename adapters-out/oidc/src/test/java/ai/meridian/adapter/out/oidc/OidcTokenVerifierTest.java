package ai.meridian.adapter.out.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.VerifyTokenPort.Verification;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.LoopbackHttpServer;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real signed tokens against a loopback JWKS server: what is accepted, what is refused, and key rotation. */
class OidcTokenVerifierTest {
    static final String ISSUER = "https://idp.example/realms/acme";
    static final String AUDIENCE = "meridian";
    private static LoopbackHttpServer jwks;
    private static RSAKey rsa;
    private static ECKey ec;
    private static RSAKey stranger;
    private static OidcTokenVerifier verifier;

    @BeforeAll
    static void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate(); // same kid, another key: a forgery
        jwks = LoopbackHttpServer.start();
        publish(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));
        verifier = new OidcTokenVerifier(new OidcSettings(ISSUER, AUDIENCE, URI.create(jwks.url("/jwks")), List.of(),
                Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(2)), Clock.systemUTC()).start();
    }

    @AfterAll
    static void stop() {
        verifier.close();
        jwks.close();
    }

    static void publish(JWKSet set) {
        jwks.route("/jwks", HttpReply.json(200, set.toString(true)));
    }

    static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("alice").expirationTime(Date.from(now.plusSeconds(300)))
                .issueTime(Date.from(now)).claim("tenant", "acme").claim("role", "member");
    }

    static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static String es256(ECKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    void validRs256AndEs256TokensAreAcceptedWithTheirClaims() throws Exception {
        Verification rsaToken = verifier.verify(rs256(rsa, claims().build()));
        assertThat(rsaToken.claims()).isPresent();
        assertThat(rsaToken.claims().get()).containsEntry("tenant", "acme").containsEntry("sub", "alice");
        assertThat(verifier.verify(es256(ec, claims().build())).claims()).isPresent();
    }

    @Test
    void expiredWrongAudienceWrongIssuerAndNotYetValidAreRefused() throws Exception {
        Instant now = Instant.now();
        assertThat(verifier.verify(rs256(rsa, claims().expirationTime(Date.from(now.minusSeconds(120))).build())).failure()).isEqualTo("expired");
        assertThat(verifier.verify(rs256(rsa, claims().audience("someone-else").build())).failure()).isEqualTo("wrong audience");
        assertThat(verifier.verify(rs256(rsa, claims().issuer("https://evil.example").build())).failure()).isEqualTo("wrong issuer");
        assertThat(verifier.verify(rs256(rsa, claims().notBeforeTime(Date.from(now.plusSeconds(600))).build())).failure()).isEqualTo("not yet valid");
        assertThat(verifier.verify(rs256(rsa, new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).build())).failure())
                .as("no expiry at all").isEqualTo("expired");
    }

    @Test
    void aTokenSignedWithTheWrongKeyIsRefused() throws Exception {
        assertThat(verifier.verify(rs256(stranger, claims().build())).failure()).isEqualTo("bad signature");
        RSAKey unknown = new RSAKeyGenerator(2048).keyID("nobody").generate();
        assertThat(verifier.verify(rs256(unknown, claims().build())).failure()).startsWith("unknown signing key");
    }

    @Test
    void algNoneHmacConfusionAndTamperingAreRefused() throws Exception {
        String none = new PlainJWT(claims().build()).serialize();
        assertThat(verifier.handles(none)).as("a plain JWT has an empty signature part").isTrue();
        assertThat(verifier.verify(none).claims()).isEmpty();
        String forgedNone = b64("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + "." + b64(claims().build().toString()) + ".";
        assertThat(verifier.verify(forgedNone).claims()).isEmpty();

        // HS256 signed with the public key's bytes as the secret: the classic algorithm confusion.
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), claims().build());
        hmac.sign(new MACSigner(java.security.MessageDigest.getInstance("SHA-256").digest(rsa.toPublicJWK().toJSONString().getBytes())));
        assertThat(verifier.verify(hmac.serialize()).failure()).isEqualTo("algorithm HS256 is not accepted");

        String good = rs256(rsa, claims().build());
        String[] parts = good.split("\\.");
        String tampered = parts[0] + "." + b64(claims().claim("tenant", "globex").build().toString()) + "." + parts[2];
        assertThat(verifier.verify(tampered).failure()).isEqualTo("bad signature");
        assertThat(verifier.verify("eyJ.broken").claims()).isEmpty();
        assertThat(verifier.verify("eyJhbGciOiJSUzI1NiJ9.e30.").claims()).isEmpty();
    }

    @Test
    void aRotatedKeyIsPickedUpWithoutARestart() throws Exception {
        RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        String token = rs256(next, claims().build());
        publish(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK(), next.toPublicJWK())));
        Thread.sleep(5_100); // the refetch for an unknown key is rate-limited
        Verification first = verifier.verify(token);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Verification later = first;
        while (later.claims().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            later = verifier.verify(token);
        }
        assertThat(later.claims()).as("accepted once the new key set is fetched in the background").isPresent();
        publish(new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())));
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
