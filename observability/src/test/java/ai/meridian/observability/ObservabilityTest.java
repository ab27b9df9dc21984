package ai.meridian.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.CircuitState;
import ai.meridian.application.port.out.GatewayMetrics.RequestOutcome;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ObservabilityTest {
    private static final TracingSettings ON = new TracingSettings(false, null, Map.of(), 1.0, "meridian-test", Duration.ofSeconds(1));

    @Test
    void continuesTheClientsTraceAndNestsChildSpans() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = TracingSetup.create(ON, exporter);
        TelemetryPort tracing = new OpenTelemetryTracing(sdk.getTracer("test"));
        String clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        TraceSpan request = tracing.startRequest("chat m", "00-" + clientTrace + "-00f067aa0ba902b7-01",
                Map.of("gen_ai.request.model", "m", "meridian.stream", true, "gen_ai.request.max_tokens", 5));
        TraceSpan attempt = request.child("meridian.backend b", Map.of("meridian.tier", 0));
        attempt.set("gen_ai.usage.output_tokens", 7);
        attempt.fail("boom");
        attempt.end();
        request.end();
        sdk.getSdkTracerProvider().forceFlush().join(5, java.util.concurrent.TimeUnit.SECONDS);

        List<SpanData> spans = exporter.getFinishedSpanItems();
        assertThat(spans).hasSize(2);
        SpanData root = spans.stream().filter(s -> s.getName().equals("chat m")).findFirst().orElseThrow();
        SpanData child = spans.stream().filter(s -> s.getName().equals("meridian.backend b")).findFirst().orElseThrow();
        assertThat(root.getTraceId()).isEqualTo(clientTrace);
        assertThat(root.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(child.getParentSpanId()).isEqualTo(root.getSpanId());
        assertThat(root.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("m");
        assertThat(root.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens"))).isEqualTo(5L);
        assertThat(child.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens"))).isEqualTo(7L);
        assertThat(child.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
        assertThat(request.traceparent()).startsWith("00-" + clientTrace + "-").endsWith("-01");
    }

    @Test
    void aClientsSampledFlagIsKeptWhateverTheRatio() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = TracingSetup.create(new TracingSettings(false, null, Map.of(), 0.0, "t", Duration.ofSeconds(1)), exporter);
        TelemetryPort tracing = new OpenTelemetryTracing(sdk.getTracer("test"));
        TraceSpan sampled = tracing.startRequest("sampled", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Map.of());
        TraceSpan child = sampled.child("attempt", Map.of());
        assertThat(child.traceparent()).endsWith("-01");
        child.end();
        sampled.end();
        TraceSpan notSampled = tracing.startRequest("not sampled", "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", Map.of());
        assertThat(notSampled.child("attempt", Map.of()).traceparent()).endsWith("-00");
        notSampled.end();
        TraceSpan own = tracing.startRequest("own", null, Map.of());
        assertThat(own.traceparent()).as("ratio 0 for the gateway's own traces").endsWith("-00");
        own.end();
        sdk.getSdkTracerProvider().forceFlush().join(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getName).containsExactlyInAnyOrder("attempt", "sampled");

        InMemorySpanExporter all = InMemorySpanExporter.create();
        OpenTelemetrySdk everything = TracingSetup.create(ON, all);
        TelemetryPort ratioOne = new OpenTelemetryTracing(everything.getTracer("test"));
        TraceSpan refused = ratioOne.startRequest("refused", "00-6bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", Map.of());
        assertThat(refused.traceparent()).as("a client's -00 is not overridden by ratio 1").endsWith("-00");
        refused.end();
        everything.getSdkTracerProvider().forceFlush().join(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(all.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void withTheExporterOffTheClientsSampledFlagStillTravelsToBackends() {
        OpenTelemetrySdk sdk = TracingSetup.create(ON);
        TelemetryPort tracing = new OpenTelemetryTracing(sdk.getTracer("test"));
        TraceSpan sampled = tracing.startRequest("chat", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", Map.of());
        assertThat(sampled.child("attempt", Map.of()).traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01");
        TraceSpan notSampled = tracing.startRequest("chat", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", Map.of());
        assertThat(notSampled.child("attempt", Map.of()).traceparent()).endsWith("-00");
        assertThat(tracing.startRequest("chat", null, Map.of()).traceparent()).endsWith("-00");
    }

    @Test
    void withTheExporterOffSpansStillCarryIdsIntoTheLogs() {
        OpenTelemetrySdk sdk = TracingSetup.create(ON);
        TelemetryPort tracing = new OpenTelemetryTracing(sdk.getTracer("test"));
        TraceSpan request = tracing.startRequest("chat", "garbage-traceparent", Map.of());
        assertThat(request.traceId()).hasSize(32).isNotEqualTo("00000000000000000000000000000000");
        assertThat(MDC.get("trace_id")).isNull();
        try (TelemetryPort.Scope ignored = request.activate()) {
            assertThat(MDC.get("trace_id")).isEqualTo(request.traceId());
            assertThat(MDC.get("span_id")).hasSize(16);
            TraceSpan child = request.child("inner", Map.of());
            try (TelemetryPort.Scope inner = child.activate()) {
                assertThat(MDC.get("trace_id")).isEqualTo(request.traceId());
            }
            assertThat(MDC.get("trace_id")).isEqualTo(request.traceId());
        }
        assertThat(MDC.get("trace_id")).as("restored after the scope").isNull();
    }

    @Test
    void metricsAppearInThePrometheusExposition() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics(registry);
        metrics.request(new RequestOutcome("chat", "vllm", 200, true, 1, 5_000_000, 120_000, 11, 7));
        metrics.request(new RequestOutcome("chat", "vllm", 200, true, 1, 7_000_000, 150_000, 11, 3));
        metrics.attempt("vllm", "ok", 4_000_000);
        metrics.attempt("primary", "server_error", 1_000_000);
        metrics.timeToFirstToken("chat", "vllm", 2_000_000);
        metrics.fallback("chat", 1, "server_error");
        metrics.watchCircuit("primary", "m", () -> CircuitState.OPEN);
        String text = registry.scrape();
        assertThat(text).contains("meridian_requests_total{backend=\"vllm\",model=\"chat\",status=\"200\",stream=\"true\",tier=\"1\"} 2.0");
        assertThat(text).contains("meridian_gateway_overhead_seconds_bucket{stream=\"true\",le=\"2.0E-4\"} 2");
        assertThat(text).contains("meridian_gateway_overhead_seconds_count{stream=\"true\"} 2");
        assertThat(text).contains("meridian_tokens_total{backend=\"vllm\",model=\"chat\",type=\"output\"} 10.0");
        assertThat(text).contains("meridian_upstream_duration_seconds_count{backend=\"primary\",outcome=\"server_error\"} 1");
        assertThat(text).contains("meridian_time_to_first_token_seconds_count{backend=\"vllm\",model=\"chat\"} 1");
        assertThat(text).contains("meridian_fallbacks_total{model=\"chat\",reason=\"server_error\",tier=\"1\"} 1.0");
        assertThat(text).contains("meridian_circuit_state{backend=\"primary\",model=\"m\"} 1.0");
        assertThat(text).contains("meridian_request_duration_seconds_count{model=\"chat\",stream=\"true\"} 2");
    }
}
