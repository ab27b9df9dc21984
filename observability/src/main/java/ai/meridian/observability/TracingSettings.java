package ai.meridian.observability;

import java.time.Duration;
import java.util.Map;

/**
 * Tracing configuration: the OTLP exporter is off unless enabled; {@code samplingRatio} applies to
 * new traces, while a client's sampled flag is followed.
 */
public record TracingSettings(boolean otlpEnabled, String otlpEndpoint, Map<String, String> otlpHeaders,
                              double samplingRatio, String serviceName, Duration exportTimeout) {

    public TracingSettings {
        if (samplingRatio < 0 || samplingRatio > 1) {
            throw new IllegalArgumentException("meridian.tracing.sampling-ratio must be between 0 and 1");
        }
        if (otlpEnabled && (otlpEndpoint == null || !otlpEndpoint.startsWith("http"))) {
            throw new IllegalArgumentException("meridian.tracing.otlp.endpoint must be an http(s) URL, e.g. http://collector:4318/v1/traces");
        }
        otlpHeaders = otlpHeaders == null ? Map.of() : Map.copyOf(otlpHeaders);
        serviceName = serviceName == null || serviceName.isBlank() ? "meridian" : serviceName;
    }
}
