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
        final java.util.Set<String> unreadyModels = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.List<String> probedModels = new java.util.concurrent.CopyOnWriteArrayList<>();

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

        @Override
        public CompletableFuture<Boolean> probeReady(String upstreamModel) {
            probedModels.add(upstreamModel);
            return CompletableFuture.completedFuture(ready && !unreadyModels.contains(upstreamModel));
        }

        @Override
        public boolean hasReadinessProbe() {
            return true;
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

    private static ModelDefinition onModel(String id, String backend, String upstream) {
        return new ModelDefinition(id, List.of(), new FallbackPlan(List.of(new Tier(
                TierRouting.weighted(Routes.of(new Route(backend, upstream, 1))), RetryPolicy.NONE)), Optional.empty()), null);
    }

    @Test
    void everyModelOfABackendIsProbedAndReportedOnItsOwn() throws Exception {
        ProbedBackend triton = new ProbedBackend("triton");
        CountingBreakers breakers = new PerModelBreakers();
        HealthService health = new HealthService(new ModelCatalog(List.of(onModel("trt-llama", "triton", "llama"),
                onModel("broken", "triton", "broken-model"))), new BackendRegistry(List.of(triton)), breakers, Duration.ofSeconds(1));

        triton.unreadyModels.add("broken-model");
        Readiness readiness = health.readiness().get(5, TimeUnit.SECONDS);
        assertThat(readiness.models()).containsEntry("trt-llama", true).containsEntry("broken", false);
        assertThat(readiness.backends().get("triton").ready()).as("the server serves its other model").isTrue();
        assertThat(readiness.backends().get("triton").models().get("broken-model").ready()).isFalse();
        assertThat(readiness.backends().get("triton").models().get("llama").ready()).isTrue();

        health.probeOnce().get(5, TimeUnit.SECONDS);
        assertThat(triton.probedModels).contains("llama", "broken-model");
        assertThat(breakers.gate("triton", "broken-model").unready).isEqualTo(1);
        assertThat(breakers.gate("triton", "llama").unready).as("its neighbour keeps its circuit").isZero();
        assertThat(breakers.gate("triton", "llama").readied).as("a ready model: an open circuit would end").isEqualTo(1);

        triton.probedModels.clear();
        health.probeOpenCircuits().get(5, TimeUnit.SECONDS);
        assertThat(triton.probedModels).as("only the open circuit is probed between rounds").containsExactly("broken-model");
        triton.unreadyModels.clear();
        health.probeOpenCircuits().get(5, TimeUnit.SECONDS);
        assertThat(breakers.gate("triton", "broken-model").state()).as("back as soon as its backend says ready")
                .isEqualTo(ai.meridian.application.port.out.CircuitState.CLOSED);
    }

    /** Counting breakers kept apart per backend and model. */
    private static final class PerModelBreakers extends CountingBreakers {
        @Override
        public synchronized Gate gate(String backendId, String model) {
            return gates.computeIfAbsent(backendId + "/" + model, id -> new Gate());
        }
    }
}
