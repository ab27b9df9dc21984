package ai.meridian.bootstrap;

import ai.meridian.observability.TracingSettings;
import ai.meridian.observability.TracingSetup;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;

/** For tests that inspect spans: the real SDK, exporting into memory instead of OTLP. */
@Factory
@Requires(property = "test.spans", value = "memory")
class InMemoryTracingFactory {
    static final InMemorySpanExporter EXPORTER = InMemorySpanExporter.create();

    @Singleton
    @Bean(preDestroy = "close")
    @Replaces(bean = OpenTelemetrySdk.class, factory = GatewayFactory.class)
    OpenTelemetrySdk inMemorySdk() {
        return TracingSetup.create(new TracingSettings(false, null, Map.of(), 1.0, "meridian-test", Duration.ofSeconds(1)), EXPORTER);
    }
}
