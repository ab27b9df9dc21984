package ai.meridian.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/** Builds the OpenTelemetry SDK from {@link TracingSettings}. */
public final class TracingSetup {
    private TracingSetup() {
    }

    /**
     * With the exporter off, the gateway's own traces are not recorded (the sampler drops them) but still get
     * ids, so logs carry trace ids and upstreams receive a valid {@code traceparent}. A client's sampled flag
     * is kept either way: a caller that sends {@code -01} had its trace sampled upstream of Meridian, and the
     * backends Meridian calls must see it sampled too ({@code -00} stays unsampled).
     */
    public static OpenTelemetrySdk create(TracingSettings settings) {
        return create(settings, settings.otlpEnabled() ? otlp(settings) : null);
    }

    /** For tests and custom exporters. */
    public static OpenTelemetrySdk create(TracingSettings settings, SpanExporter exporter) {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
                AttributeKey.stringKey("service.name"), settings.serviceName())));
        SdkTracerProviderBuilder provider = SdkTracerProvider.builder().setResource(resource);
        if (exporter == null) {
            provider.setSampler(Sampler.parentBased(Sampler.alwaysOff()));
        } else {
            provider.setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.samplingRatio())));
            provider.addSpanProcessor(BatchSpanProcessor.builder(exporter).build());
        }
        return OpenTelemetrySdk.builder().setTracerProvider(provider.build()).build();
    }

    private static SpanExporter otlp(TracingSettings settings) {
        OtlpHttpSpanExporterBuilder builder = OtlpHttpSpanExporter.builder()
                .setEndpoint(settings.otlpEndpoint())
                .setTimeout(settings.exportTimeout());
        settings.otlpHeaders().forEach(builder::addHeader);
        return builder.build();
    }
}
