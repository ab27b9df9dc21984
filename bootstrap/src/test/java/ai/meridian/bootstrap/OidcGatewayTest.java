package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.LoopbackHttpServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
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
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OIDC bearer tokens at the gateway: signed by a loopback identity provider's keys, mapped to tenant and role by claims. */
class OidcGatewayTest {
    private static final String ISSUER = "https://idp.example/realms/teams";
    private static LoopbackHttpServer idp;
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static RSAKey rsa;
    private static ECKey ec;

    @BeforeAll
    static void start() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("k1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();
        idp = LoopbackHttpServer.start();
        idp.route("/certs", HttpReply.json(200, new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString(true)));
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                "oidc", Map.of("issuer", ISSUER, "audience", "meridian-api", "jwks-url", idp.url("/certs"),
                        "tenant-claim", "team", "role-claim", "groups", "role-values", List.of("gw-admins=admin", "gw-users=member", "gw-viewers=reader"))));
        new Admin(gateway).tenant("platform");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
        idp.close();
    }

    private static JWTClaimsSet.Builder claims(String team, List<String> groups) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience("meridian-api").subject("bob").claim("team", team).claim("groups", groups)
                .expirationTime(Date.from(now.plusSeconds(600))).issueTime(Date.from(now));
    }

    private static String sign(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims);
        jwt.sign(new RSASSASigner(rsa));
        return jwt.serialize();
    }

    private static HttpResponse<String> chat(String token, String... more) {
        String[] headers = new String[2 + more.length];
        headers[0] = "authorization";
        headers[1] = "Bearer " + token;
        System.arraycopy(more, 0, headers, 2, more.length);
        return gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), headers);
    }

    @Test
    void aSignedTokenIsACallerOfItsTenantWithTheMappedRoleOnBothPaths() throws Exception {
        String member = sign(claims("platform", List.of("gw-users", "unrelated")).build());
        assertThat(chat(member).statusCode()).isEqualTo(200);
        assertThat(chat(member, "origin", "http://127.0.0.1").statusCode()).isEqualTo(200);
        SignedJWT es = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k2").build(), claims("platform", List.of("gw-users")).build());
        es.sign(new ECDSASigner(ec));
        assertThat(chat(es.serialize()).statusCode()).isEqualTo(200);

        String viewer = sign(claims("platform", List.of("gw-viewers")).build());
        assertThat(chat(viewer).statusCode()).isEqualTo(403);
        assertThat(gateway.get("/v1/conversations", "authorization", "Bearer " + viewer).statusCode()).isEqualTo(200);
        String admin = sign(claims("platform", List.of("gw-viewers", "gw-admins")).build());
        HttpResponse<String> keys = gateway.get("/v1/admin/keys", "authorization", "Bearer " + admin);
        assertThat(keys.statusCode()).as("the strongest mapped role wins").isEqualTo(200);
    }

    @Test
    void expiredWrongAudienceWrongKeyAlgNoneAndUnknownTenantsAreRefused() throws Exception {
        Instant past = Instant.now().minusSeconds(3600);
        List<String> refused = List.of(
                sign(claims("platform", List.of("gw-users")).expirationTime(Date.from(past)).build()),
                sign(claims("platform", List.of("gw-users")).audience("another-api").build()),
                new PlainJWT(claims("platform", List.of("gw-admins")).build()).serialize(),
                sign(claims("no-such-team", List.of("gw-users")).build()),
                sign(claims("platform", List.of("nobody")).build()));
        RSAKey wrong = new RSAKeyGenerator(2048).keyID("k1").generate();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims("platform", List.of("gw-admins")).build());
        forged.sign(new RSASSASigner(wrong));
        for (String token : concat(refused, forged.serialize())) {
            HttpResponse<String> response = chat(token);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
            assertThat(Admin.json(response).get("error").get("code").asText()).isEqualTo("invalid_api_key");
        }
        HttpResponse<String> audit = gateway.get("/v1/admin/audit?action=auth.refused&limit=50");
        assertThat(audit.body()).contains("identity token: expired", "identity token: wrong audience", "identity token for an unknown tenant");
    }

    private static List<String> concat(List<String> list, String one) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(list);
        all.add(one);
        return all;
    }
}
