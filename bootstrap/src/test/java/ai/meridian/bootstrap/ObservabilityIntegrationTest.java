package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One trace per request with GenAI attributes, trace ids on every log line, the figures on /metrics, health. */
class ObservabilityIntegrationTest {
    private static final String CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SECRET_PROMPT = "PROMPT-SECRET-4242";
    private static FakeOpenAiUpstream primary;
    private static FakeOpenAiUpstream secondary;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        primary = FakeOpenAiUpstream.start();
        secondary = FakeOpenAiUpstream.start();
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Map<String, Object> backends = new LinkedHashMap<>();
        backends.put("primary", TestGateway.openAiBackend(primary.baseUrl(), Map.of()));
        backends.put("secondary", TestGateway.openAiBackend(secondary.baseUrl(), Map.of()));
        backends.put("gone", TestGateway.openAiBackend("http://127.0.0.1:" + deadPort + "/v1", Map.of("health-check", "models")));
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("master-key", TestGateway.KEY);
        meridian.put("backends", backends);
        meridian.put("models", List.of(
                Map.of("id", "chat", "routes", List.of(TestGateway.route("primary", "big-model")), "retry", TestGateway.fastRetry(2),
                        "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("secondary", "small-model")))))));
        gateway = TestGateway.startRaw(Map.of("meridian", meridian, "test", Map.of("spans", "memory")));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        primary.close();
        secondary.close();
    }

    @BeforeEach
    void reset() {
        primary.reset();
        secondary.reset();
        spans();
        InMemoryTracingFactory.EXPORTER.reset();
    }

    private static String chat(boolean stream) {
        return "{\"model\":\"chat\",\"stream\":" + stream + ",\"max_tokens\":64,\"temperature\":0.5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + SECRET_PROMPT + "\"}]}";
    }

    private static List<SpanData> spans() {
        gateway.context().getBean(OpenTelemetrySdk.class).getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
        return InMemoryTracingFactory.EXPORTER.getFinishedSpanItems();
    }

    @Test
    void aRequestIsOneTraceWithSpansForRoutingEachAttemptAndTheFallback() {
        primary.enqueue(UpstreamBehavior.status(500, "a"), UpstreamBehavior.status(500, "b"));
        secondary.enqueue(UpstreamBehavior.answer("x", "y", "z"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", chat(false),
                "traceparent", "00-" + CLIENT_TRACE + "-b7ad6b7169203331-01");
        assertThat(response.statusCode()).isEqualTo(200);

        List<SpanData> spans = spans();
        assertThat(spans).allSatisfy(s -> assertThat(s.getTraceId()).isEqualTo(CLIENT_TRACE));
        assertThat(spans).extracting(SpanData::getName).containsExactlyInAnyOrder(
                "meridian.route", "meridian.backend primary", "meridian.backend primary", "meridian.fallback",
                "meridian.backend secondary", "chat chat");
        SpanData root = spans.stream().filter(s -> s.getName().equals("chat chat")).findFirst().orElseThrow();
        assertThat(root.getParentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(root.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("chat");
        assertThat(root.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model"))).isEqualTo("small-model");
        assertThat(root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens"))).isEqualTo(11L);
        assertThat(root.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(3L);
        assertThat(root.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens"))).isEqualTo(64L);
        assertThat(root.getAttributes().get(AttributeKey.longKey("meridian.fallback.tier"))).isEqualTo(1L);
        spans.stream().filter(s -> !s.equals(root)).forEach(s -> assertThat(s.getParentSpanId()).isEqualTo(root.getSpanId()));
        List<SpanData> failedAttempts = spans.stream().filter(s -> s.getName().equals("meridian.backend primary")).toList();
        assertThat(failedAttempts).allSatisfy(s -> {
            assertThat(s.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
            assertThat(s.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("server_error");
            assertThat(s.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("big-model");
        });
        SpanData fallback = spans.stream().filter(s -> s.getName().equals("meridian.fallback")).findFirst().orElseThrow();
        assertThat(fallback.getAttributes().get(AttributeKey.stringKey("meridian.fallback.reason"))).isEqualTo("server_error");
        assertThat(secondary.requests().get(0).headers().get("traceparent")).startsWith("00-" + CLIENT_TRACE + "-");
    }

    @Test
    void logLinesOfARequestCarryItsTraceIdsAndNeverThePrompt() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(captured);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        try {
            primary.enqueue(UpstreamBehavior.status(503, "down"), UpstreamBehavior.status(503, "down"));
            secondary.enqueue(UpstreamBehavior.status(503, "down"), UpstreamBehavior.status(503, "down"));
            gateway.post("/v1/chat/completions", chat(false), "traceparent", "00-" + CLIENT_TRACE + "-b7ad6b7169203331-01");
        } finally {
            root.detachAppender(appender);
            appender.stop();
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("\"logger_name\":\"ai.meridian")).toList();
        assertThat(lines).as("the fallback and the failure are logged: " + captured.toString(StandardCharsets.UTF_8)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line).contains("\"trace_id\":\"" + CLIENT_TRACE + "\"").containsPattern("\"span_id\":\"[0-9a-f]{16}\"");
            assertThat(line).doesNotContain(SECRET_PROMPT);
        });
    }

    @Test
    void metricsShowRequestsLatencyOverheadTokensFallbacksAndCircuits() {
        primary.enqueue(UpstreamBehavior.status(500, "a"), UpstreamBehavior.status(500, "b"));
        gateway.post("/v1/chat/completions", chat(false));
        gateway.post("/v1/chat/completions", chat(true));
        String metrics = gateway.get("/metrics", "authorization", null).body();
        assertThat(metrics).contains(
                "meridian_requests_total{backend=\"secondary\",model=\"chat\",status=\"200\",stream=\"false\",tier=\"1\"} 1.0",
                "meridian_requests_total{backend=\"primary\",model=\"chat\",status=\"200\",stream=\"true\",tier=\"0\"} 1.0",
                "meridian_request_duration_seconds_bucket{model=\"chat\",stream=\"false\",le=",
                "meridian_gateway_overhead_seconds_bucket{stream=\"true\",le=\"3.0E-4\"}",
                "meridian_upstream_duration_seconds_count{backend=\"primary\",outcome=\"server_error\"} 2",
                "meridian_upstream_duration_seconds_count{backend=\"secondary\",outcome=\"ok\"} 1",
                "meridian_time_to_first_token_seconds_count{backend=\"primary\",model=\"chat\"} 1",
                "meridian_tokens_total{backend=\"secondary\",model=\"chat\",type=\"input\"} 11.0",
                "meridian_fallbacks_total{model=\"chat\",reason=\"server_error\",tier=\"1\"} 1.0",
                "meridian_circuit_state{backend=\"primary\",model=\"big-model\"} 0.0",
                "jvm_memory_used_bytes");
    }

    @Test
    void healthSaysLiveAndReportsReadinessPerBackend() throws Exception {
        HttpResponse<String> live = gateway.get("/health/live", "authorization", null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).contains("\"status\":\"UP\"");
        HttpResponse<String> ready = gateway.get("/health/ready", "authorization", null);
        assertThat(ready.statusCode()).as("chat is servable: its backends are up").isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ready.body());
        assertThat(body.at("/backends/primary/ready").asBoolean()).isTrue();
        assertThat(body.at("/backends/gone/ready").asBoolean()).as("its /models probe fails").isFalse();
        assertThat(body.at("/models/chat").asBoolean()).isTrue();
    }
}
