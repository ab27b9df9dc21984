package ai.meridian.bootstrap;

import ai.meridian.application.service.BackendRegistry;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Says where the gateway listens and what it serves, once, when it is up. */
@Singleton
final class StartupReport {
    private static final Logger LOG = LoggerFactory.getLogger(StartupReport.class);
    private final ModelCatalog catalog;
    private final BackendRegistry backends;

    StartupReport(ModelCatalog catalog, BackendRegistry backends) {
        this.catalog = catalog;
        this.backends = backends;
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        String models = catalog.models().stream().map(ModelDefinition::id).collect(Collectors.joining(", "));
        String backendIds = backends.all().stream().map(b -> b.id()).collect(Collectors.joining(", "));
        LOG.info("Meridian listening on {} with models [{}] and backends [{}]", event.getSource().getURL(), models, backendIds);
        long heapMib = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        boolean sized = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-Xmx") || a.contains("MaxRAM") || a.contains("MaxHeapSize"));
        if (!sized && heapMib > 4096) {
            // The JVM's own default is a quarter of the machine: far more than a gateway needs, and what it takes it keeps.
            LOG.warn("The heap may grow to {} MiB (the JVM's default, a quarter of this machine's memory): start Meridian with bin/meridian, "
                    + "or set -Xmx (see docs/operations.md#memory)", heapMib);
        } else {
            LOG.info("Heap at most {} MiB", heapMib);
        }
        if (catalog.models().size() == 1 && catalog.resolve(GatewayConfiguration.EXTRACTIVE).isPresent()) {
            LOG.warn("No model backend is configured: model 'extractive' answers from retrieved sources without a language model. "
                    + "Set DEEPSEEK_API_KEY, or declare meridian.backends and meridian.models (see docs/configuration.md).");
        }
    }
}
