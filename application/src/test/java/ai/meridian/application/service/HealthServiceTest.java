package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.CheckHealthUseCase.Readiness;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HealthServiceTest {

    /** A backend whose readiness the test sets. */
    private static final class ProbedBackend implements ModelBackend {
        private final String id;
        volatile boolean ready = true;

        ProbedBackend(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public CompletableFuture<Completion> complete(BackendCall call) {
            throw new AssertionError("not called");
        }

        @Override
        public Cancellable stream(BackendCall call, BackendStreamListener listener) {
            throw new AssertionError("not called");
        }

        @Override
        public CompletableFuture<Boolean> probeReady() {
            return CompletableFuture.completedFuture(ready);
        }
    }

    private static ModelDefinition model(String id, String backend, Optional<String> staticAnswer) {
        return new ModelDefinition(id, List.of(), new FallbackPlan(List.of(new Tier(
                TierRouting.weighted(Routes.of(new Route(backend, "m", 1))), RetryPolicy.NONE)), staticAnswer), null);
    }

    @Test
    void readinessNeedsAServablePathForEveryModelAndUnreadyBackendsAreCutOff() throws Exception {
        ProbedBackend a = new ProbedBackend("a");
        ProbedBackend b = new ProbedBackend("b");
        CountingBreakers breakers = new CountingBreakers();
        HealthService health = new HealthService(new ModelCatalog(List.of(model("on-a", "a", Optional.empty()),
                model("on-b-with-static", "b", Optional.of("busy")))), new BackendRegistry(List.of(a, b)), breakers, Duration.ofSeconds(1));

        assertThat(health.readiness().get(5, TimeUnit.SECONDS).ready()).isTrue();

        b.ready = false;
        Readiness partly = health.readiness().get(5, TimeUnit.SECONDS);
        assertThat(partly.ready()).as("b's model still has its static answer").isTrue();
        assertThat(partly.backends().get("b").ready()).isFalse();

        a.ready = false;
        Readiness down = health.readiness().get(5, TimeUnit.SECONDS);
        assertThat(down.ready()).isFalse();
        assertThat(down.models()).containsEntry("on-a", false).containsEntry("on-b-with-static", true);

        health.probeOnce().get(5, TimeUnit.SECONDS);
        assertThat(breakers.gate("a").unready).isEqualTo(1);
        assertThat(breakers.gate("b").unready).isEqualTo(1);
    }
}
