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
        if (catalog.models().size() == 1 && catalog.resolve(GatewayConfiguration.EXTRACTIVE).isPresent()) {
            LOG.warn("No model backend is configured: model 'extractive' answers from retrieved sources without a language model. "
                    + "Set DEEPSEEK_API_KEY, or declare meridian.backends and meridian.models (see docs/configuration.md).");
        }
    }
}
