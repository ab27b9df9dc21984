package ai.meridian.application.port.out;

import java.util.Map;

/**
 * Tracing as the core needs it: a span per request, child spans for routing, backend attempts and
 * fallback steps. Implementations propagate W3C trace context and put trace ids on log lines.
 */
public interface TelemetryPort {

    /** Starts the request's root span, continuing the client's trace when {@code traceparent} is valid. */
    TraceSpan startRequest(String name, String traceparent, Map<String, Object> attributes);

    /** A span. Attribute values are String, Long, Integer, Double or Boolean. */
    interface TraceSpan {
        TraceSpan child(String name, Map<String, Object> attributes);

        void set(String key, Object value);

        void event(String name, Map<String, Object> attributes);

        /** Marks the span failed with a message (no stack trace: failures here are expected). */
        void fail(String message);

        void end();

        /** Makes this the current span on this thread until the scope closes; log lines carry its ids. */
        Scope activate();

        /** The W3C {@code traceparent} value to send to upstreams. */
        String traceparent();

        String traceId();
    }

    /** Closes without checked exceptions. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** A telemetry port that records nothing, for tests of the core and for telemetry turned off. */
    TelemetryPort NOOP = (name, traceparent, attributes) -> NoopSpan.INSTANCE;

    /** The span of {@link #NOOP}. */
    enum NoopSpan implements TraceSpan {
        INSTANCE;

        @Override
        public TraceSpan child(String name, Map<String, Object> attributes) {
            return this;
        }

        @Override
        public void set(String key, Object value) {
        }

        @Override
        public void event(String name, Map<String, Object> attributes) {
        }

        @Override
        public void fail(String message) {
        }

        @Override
        public void end() {
        }

        @Override
        public Scope activate() {
            return () -> { };
        }

        @Override
        public String traceparent() {
            return null;
        }

        @Override
        public String traceId() {
            return "";
        }
    }
}
