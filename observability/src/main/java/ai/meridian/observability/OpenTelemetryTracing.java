package ai.meridian.observability;

import ai.meridian.application.port.out.TelemetryPort;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The telemetry port on OpenTelemetry: a server span per request (continuing the client's W3C trace),
 * child spans for routing, attempts and fallback steps. Activating a span also puts its ids in the
 * logging MDC as {@code trace_id} and {@code span_id}, so every log line of the request carries them.
 */
public final class OpenTelemetryTracing implements TelemetryPort {
    public static final String MDC_TRACE_ID = "trace_id";
    public static final String MDC_SPAN_ID = "span_id";

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private final Tracer tracer;

    public OpenTelemetryTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public TraceSpan startRequest(String name, String traceparent, Map<String, Object> attributes) {
        Context parent = traceparent == null || traceparent.isBlank()
                ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent.trim(), TRACEPARENT);
        Span span = tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
        if (span.isRecording()) {
            span.setAllAttributes(toAttributes(attributes));
        }
        return new OtelSpan(span);
    }

    static Attributes toAttributes(Map<String, Object> values) {
        AttributesBuilder builder = Attributes.builder();
        values.forEach((key, value) -> put(builder, key, value));
        return builder.build();
    }

    private static void put(AttributesBuilder builder, String key, Object value) {
        if (value instanceof String s) {
            builder.put(key, s);
        } else if (value instanceof Integer || value instanceof Long) {
            builder.put(key, ((Number) value).longValue());
        } else if (value instanceof Number n) {
            builder.put(key, n.doubleValue());
        } else if (value instanceof Boolean b) {
            builder.put(key, b);
        } else if (value != null) {
            builder.put(key, value.toString());
        }
    }

    private final class OtelSpan implements TraceSpan {
        private final Span span;

        OtelSpan(Span span) {
            this.span = span;
        }

        @Override
        public TraceSpan child(String name, Map<String, Object> attributes) {
            Span child = tracer.spanBuilder(name).setParent(Context.root().with(span)).setSpanKind(SpanKind.INTERNAL).startSpan();
            if (child.isRecording()) {
                child.setAllAttributes(toAttributes(attributes));
            }
            return new OtelSpan(child);
        }

        @Override
        public void set(String key, Object value) {
            if (!span.isRecording()) {
                return; // unsampled (always so with no exporter): attributes would be dropped anyway
            }
            AttributesBuilder builder = Attributes.builder();
            put(builder, key, value);
            span.setAllAttributes(builder.build());
        }

        @Override
        public void event(String name, Map<String, Object> attributes) {
            if (span.isRecording()) {
                span.addEvent(name, toAttributes(attributes));
            }
        }

        @Override
        public void fail(String message) {
            span.setStatus(StatusCode.ERROR, message);
        }

        @Override
        public void end() {
            span.end();
        }

        @Override
        public Scope activate() {
            io.opentelemetry.context.Scope otel = Context.root().with(span).makeCurrent();
            SpanContext context = span.getSpanContext();
            String previousTrace = MDC.get(MDC_TRACE_ID);
            String previousSpan = MDC.get(MDC_SPAN_ID);
            MDC.put(MDC_TRACE_ID, context.getTraceId());
            MDC.put(MDC_SPAN_ID, context.getSpanId());
            return () -> {
                restore(MDC_TRACE_ID, previousTrace);
                restore(MDC_SPAN_ID, previousSpan);
                otel.close();
            };
        }

        private void restore(String key, String previous) {
            if (previous == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, previous);
            }
        }

        @Override
        public String traceparent() {
            SpanContext c = span.getSpanContext();
            return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
        }

        @Override
        public String traceId() {
            return span.getSpanContext().getTraceId();
        }
    }
}
