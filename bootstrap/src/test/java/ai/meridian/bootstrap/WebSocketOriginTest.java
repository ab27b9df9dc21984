package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket door applies the CORS policy to browser pages: a page at an origin nobody lists cannot open a
 * WebSocket (cross-site WebSocket hijacking), a listed origin can, and a key is usable only from its own tenant's
 * origins (or the configuration's). Clients that send no {@code Origin} (not browsers) are not affected.
 */
class WebSocketOriginTest {
    private static final String[] UPGRADE = {"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version", "13"};
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static String acmeKey;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                "websocket", Map.of("auth-timeout", "2s"),
                "cors", Map.of("enabled", true, "allowed-origins", List.of("https://console.example"))));
        HttpResponse<String> tenant = gateway.post("/v1/admin/tenants", "{\"id\":\"acme\",\"cors_origins\":[\"https://app.acme.example\"]}");
        assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
        acmeKey = new Admin(gateway).key("acme", "")[1];
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static String request(String id) {
        return "{\"type\":\"request\",\"id\":\"" + id + "\",\"body\":{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}";
    }

    private static RawSse upgrade(String... headers) {
        return RawSse.open("127.0.0.1", port(gateway), "GET", "/v1/chat/stream", null, concat(UPGRADE, headers));
    }

    static int port(TestGateway gateway) {
        return Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    @Test
    void aPageAtAnOriginNobodyListsIsRefusedBeforeTheUpgradeEvenWithAValidKey() {
        int before = upstream.requests().size();
        try (RawSse refused = upgrade("Origin", "https://evil.example", "Authorization", "Bearer " + TestGateway.KEY)) {
            assertThat(refused.status).isEqualTo(403);
            assertThat(refused.body()).contains("origin_not_allowed").contains("https://evil.example");
        }
        try (RawSse refused = upgrade("Origin", "null")) {
            assertThat(refused.status).as("a sandboxed or file:// page").isEqualTo(403);
        }
        assertThat(upstream.requests()).hasSize(before);
    }

    @Test
    void aListedOriginOpensOneAndAKeyWorksOnlyFromItsOwnTenantsOrigins() throws Exception {
        try (WsClient ws = WsClient.connect(gateway.url(), null, "https://app.acme.example")) {
            ws.send("{\"type\":\"auth\",\"api_key\":\"" + acmeKey + "\"}");
            assertThat(ws.next().path("type").asText()).isEqualTo("authenticated");
            ws.send(request("r"));
            assertThat(WsClient.text(ws.until("r"))).isEqualTo("ok");
        }
        try (WsClient ws = WsClient.connect(gateway.url(), null, "https://app.acme.example")) {
            ws.send("{\"type\":\"auth\",\"api_key\":\"" + TestGateway.KEY + "\"}");
            assertThat(ws.next().at("/error/code").asText()).as("acme's page with another tenant's key").isEqualTo("origin_not_allowed");
            assertThat(ws.closeReason()).startsWith("1008");
        }
        try (RawSse refused = upgrade("Origin", "https://app.acme.example", "Authorization", "Bearer " + TestGateway.KEY)) {
            assertThat(refused.status).as("the same, with the key in the header").isEqualTo(403);
            assertThat(refused.body()).contains("origin_not_allowed");
        }
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY, "https://console.example")) {
            ws.send(request("c"));
            assertThat(WsClient.text(ws.until("c"))).as("the configuration's origin serves every tenant").isEqualTo("ok");
        }
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            ws.send(request("n"));
            assertThat(WsClient.text(ws.until("n"))).as("no Origin: not a browser").isEqualTo("ok");
        }
    }

    @Test
    void withCrossOriginAccessOffNoBrowserPageMayOpenOne() {
        try (TestGateway closed = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m"))))))) {
            try (RawSse refused = RawSse.open("127.0.0.1", port(closed), "GET", "/v1/chat/stream", null, concat(UPGRADE,
                    "Origin", "http://localhost:3000", "Authorization", "Bearer " + TestGateway.KEY))) {
                assertThat(refused.status).isEqualTo(403);
                assertThat(refused.body()).contains("origin_not_allowed").contains("meridian.cors.enabled");
            }
            assertThatThrownBy(() -> WsClient.connect(closed.url(), TestGateway.KEY, "https://any.example")).rootCause().hasMessageContaining("403");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
