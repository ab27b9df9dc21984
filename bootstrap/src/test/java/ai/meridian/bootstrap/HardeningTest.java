package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CORS per tenant (preflights answered without a key; the WebSocket door applies the same policy to browser pages, against
 * cross-site WebSocket hijacking, and leaves clients without an {@code Origin} alone), header size and JSON nesting limits:
 * clear 4xx answers.
 */
class HardeningTest {
    private static final String[] UPGRADE = {"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version", "13"};
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static String acmeKey;
    private static String otherKey;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                "cors", Map.of("enabled", true, "allowed-origins", List.of("https://console.example"))));
        Admin admin = new Admin(gateway);
        HttpResponse<String> tenant = gateway.post("/v1/admin/tenants", "{\"id\":\"acme\",\"cors_origins\":[\"https://app.acme.example\"]}");
        assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
        acmeKey = admin.key("acme", "")[1];
        otherKey = admin.key("default", "")[1];
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static HttpResponse<String> preflight(String origin) {
        return gateway.send("OPTIONS", "/v1/chat/completions", java.net.http.HttpRequest.BodyPublishers.noBody(),
                "authorization", null, "content-type", null, "origin", origin, "access-control-request-method", "POST",
                "access-control-request-headers", "authorization, content-type");
    }

    @Test
    void aPreflightIsAnsweredWithoutAKeyForAnOriginSomeTenantAllows() {
        HttpResponse<String> allowed = preflight("https://app.acme.example");
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("access-control-allow-origin")).contains("https://app.acme.example");
        assertThat(allowed.headers().firstValue("access-control-allow-headers")).hasValueSatisfying(h -> assertThat(h).contains("authorization"));
        assertThat(preflight("https://console.example").statusCode()).isEqualTo(204);
        HttpResponse<String> refused = preflight("https://evil.example");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(refused.body()).contains("origin_not_allowed");
    }

    @Test
    void anAnswerMayBeReadOnlyByItsOwnTenantsOrigins() {
        HttpResponse<String> own = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false),
                "authorization", "Bearer " + acmeKey, "origin", "https://app.acme.example");
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(own.headers().firstValue("access-control-allow-origin")).contains("https://app.acme.example");
        assertThat(own.headers().firstValue("access-control-expose-headers")).hasValueSatisfying(h -> assertThat(h).contains("x-ratelimit-limit-requests"));
        HttpResponse<String> foreign = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false),
                "authorization", "Bearer " + otherKey, "origin", "https://app.acme.example");
        assertThat(foreign.headers().firstValue("access-control-allow-origin")).as("another tenant's origin").isEmpty();
        HttpResponse<String> console = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false),
                "authorization", "Bearer " + otherKey, "origin", "https://console.example");
        assertThat(console.headers().firstValue("access-control-allow-origin")).contains("https://console.example");
        int calls = upstream.requests().size();
        HttpResponse<String> evil = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false),
                "authorization", "Bearer " + otherKey, "origin", "https://evil.example");
        assertThat(evil.statusCode()).as("an origin nobody allows is refused before it runs").isEqualTo(403);
        assertThat(upstream.requests()).hasSize(calls);
    }

    @Test
    void deeplyNestedJsonIsAClear400() {
        String deep = "[".repeat(200) + "]".repeat(200);
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":" + deep + "}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("invalid_json").contains("nesting");
        HttpResponse<String> admin = gateway.post("/v1/admin/tenants", "{\"id\":" + deep + "}");
        assertThat(admin.statusCode()).isEqualTo(400);
    }

    @Test
    void anOversizedHeaderIsAClear4xxAndTheConnectionIsNotLeftHanging() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(gateway.url().replaceAll(".*:", "")))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String huge = "x".repeat(20_000);
            out.write(("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestGateway.KEY + "\r\nX-Huge: " + huge
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).startsWith("HTTP/1.1 4");
            assertThat(head).isIn("HTTP/1.1 431", "HTTP/1.1 413", "HTTP/1.1 400");
        }
    }

    // ---- the WebSocket door and browser pages ----

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
