package ai.meridian.bootstrap;

import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.service.KnowledgeBaseService;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ingestion jobs honest across restarts. Running jobs are saved at least every
 * {@code meridian.ingestion.heartbeat}; a job left queued or running and not saved for
 * {@code meridian.ingestion.stale-after} belonged to a gateway that stopped without finishing it (killed, or
 * crashed) and is recorded as interrupted, with the reason. At start-up on the embedded H2 database, which
 * only one process can open, every unfinished job is such a job and is recorded at once.
 */
@Context
final class IngestionHousekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(IngestionHousekeeping.class);

    IngestionHousekeeping(KnowledgeBaseService ingestion, ScheduledExecutorService timers, Environment environment,
                          @Value("${datasources.default.url:}") String databaseUrl) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.ingestion");
        Duration heartbeat = s.duration("heartbeat", Duration.ofSeconds(30));
        Duration staleAfter = s.duration("stale-after", Duration.ofMinutes(2));
        if (heartbeat.isNegative() || heartbeat.isZero() || staleAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("meridian.ingestion.heartbeat must be positive and stale-after at least twice as long");
        }
        Duration atStartup = databaseUrl.startsWith("jdbc:h2:") ? Duration.ZERO : staleAfter;
        ingestion.recoverStale(atStartup).whenComplete((count, error) -> {
            if (error != null) {
                LOG.warn("Looking for interrupted ingestion jobs failed: {}", error.toString());
            } else if (count > 0) {
                LOG.warn("{} ingestion jobs were left unfinished by a gateway that stopped; recorded as interrupted", count);
            }
        });
        timers.scheduleWithFixedDelay(() -> ingestion.heartbeat(heartbeat), heartbeat.toMillis(), heartbeat.toMillis(),
                TimeUnit.MILLISECONDS);
        long sweep = staleAfter.toMillis() / 2;
        timers.scheduleWithFixedDelay(() -> ingestion.recoverStale(staleAfter).exceptionally(e -> 0), sweep, sweep, TimeUnit.MILLISECONDS);
    }
}
