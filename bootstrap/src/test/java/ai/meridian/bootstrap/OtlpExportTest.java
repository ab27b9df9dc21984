package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Turned on by configuration, spans leave over OTLP/HTTP to the configured collector (with its headers). */
class OtlpExportTest {

    @Test
    void spansAreExportedToTheConfiguredCollector() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        List<String> auth = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body);
            bodies.add(body.toByteArray());
            contentTypes.add(exchange.getRequestHeaders().getFirst("content-type"));
            auth.add(exchange.getRequestHeaders().getFirst("x-collector-token"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            TestGateway gateway = TestGateway.start(Map.of(
                    "tracing", Map.of("otlp", Map.of("enabled", true,
                            "endpoint", "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces",
                            "headers", Map.of("x-collector-token", "t0k3n"))),
                    "backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                    "models", List.of(Map.of("id", "traced-model", "routes", List.of(TestGateway.route("fake", "m"))))));
            assertThat(gateway.post("/v1/chat/completions", TestGateway.chatBody("traced-model", false)).statusCode()).isEqualTo(200);
            gateway.close(); // shutting down flushes the batch processor
        } finally {
            collector.stop(0);
        }
        assertThat(bodies).isNotEmpty();
        assertThat(contentTypes).allSatisfy(ct -> assertThat(ct).isEqualTo("application/x-protobuf"));
        assertThat(auth).contains("t0k3n");
        String exported = new String(bodies.get(0), StandardCharsets.ISO_8859_1);
        assertThat(exported).contains("chat traced-model", "meridian.backend fake", "gen_ai.usage.output_tokens", "meridian");
    }
}
