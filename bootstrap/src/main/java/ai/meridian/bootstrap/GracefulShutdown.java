package ai.meridian.bootstrap;

import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.service.HealthService;
import ai.meridian.application.service.KnowledgeBaseService;
import ai.meridian.support.inboundhttp.HttpConnectionGuard;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What SIGTERM starts, before the server and the beans are stopped: readiness says no (load balancers stop
 * sending work), new requests are refused with 503 and idle connections closed, the requests under way
 * (streams too) and the ingestion jobs get {@code meridian.shutdown.drain-time} to finish. Jobs still running
 * then are stopped and recorded as interrupted, with the reason, their half-done document taken out of the
 * index again. Only after this do the adapters close (the embedding model releases its native code once
 * its own runs ended), so nothing native is released under a caller.
 */
@Singleton
final class GracefulShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    static final Duration DEFAULT_DRAIN = Duration.ofSeconds(20);

    private final HealthService health;
    private final HttpConnectionGuard http;
    private final KnowledgeBaseService ingestion;
    private final Duration drainTime;
    private final AtomicBoolean started = new AtomicBoolean();

    GracefulShutdown(HealthService health, HttpConnectionGuard http, KnowledgeBaseService ingestion, Environment environment) {
        this.health = health;
        this.http = http;
        this.ingestion = ingestion;
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.shutdown");
        this.drainTime = s.duration("drain-time", DEFAULT_DRAIN);
        if (drainTime.isNegative()) {
            throw new IllegalArgumentException("meridian.shutdown.drain-time must not be negative");
        }
    }

    Duration drainTime() {
        return drainTime;
    }

    /** True the first time: a second signal means "now", and its caller skips the drain. */
    boolean begin() {
        return started.compareAndSet(false, true);
    }

    /** Drains; true when every request and job finished within the drain time. Safe to call more than once. */
    boolean drain() {
        started.set(true);
        health.markDraining();
        http.startDraining();
        long deadline = System.nanoTime() + drainTime.toNanos();
        LOG.info("Shutting down: draining {} requests and {} ingestion jobs for up to {} s", http.inFlight(), ingestion.activeJobs(),
                drainTime.toSeconds());
        while (System.nanoTime() < deadline && (http.inFlight() > 0 || ingestion.activeJobs() > 0)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean clean = http.inFlight() == 0 && ingestion.activeJobs() == 0;
        if (ingestion.activeJobs() > 0) {
            LOG.warn("Shutting down: {} ingestion jobs did not finish within the drain time; they are recorded as interrupted",
                    ingestion.activeJobs());
            try {
                ingestion.interruptAll("interrupted: the gateway shut down before this job finished; ingest the remaining documents again",
                        Duration.ofSeconds(5)).get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Shutting down: recording interrupted ingestion jobs failed: {}", e.toString());
            }
        }
        if (http.inFlight() > 0) {
            LOG.warn("Shutting down: {} requests still under way after the drain time are cut", http.inFlight());
        }
        return clean;
    }
}
