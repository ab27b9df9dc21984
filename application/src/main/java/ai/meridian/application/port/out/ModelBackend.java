package ai.meridian.application.port.out;

import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.fallback.ContinuationStyle;
import ai.meridian.domain.routing.ModelCapabilities;
import java.util.concurrent.CompletableFuture;

/**
 * What the core needs from a model backend: a whole answer, or an answer streamed piece by piece.
 * Failures are reported as {@link BackendFailureException} (for {@link #complete}) or through
 * {@link BackendStreamListener#onError}, always classified as a domain {@code Failure}.
 */
public interface ModelBackend extends AutoCloseable {

    /** The configured backend id, as routes name it. */
    String id();

    CompletableFuture<Completion> complete(BackendCall call);

    /** Starts a streamed answer; the listener hears deltas as they arrive. Cancelling aborts the upstream call. */
    Cancellable stream(BackendCall call, BackendStreamListener listener);

    /** False for backends that do not write text of their own (the extractive answerer): nothing to ask them. */
    default boolean generatesText() {
        return true;
    }

    /**
     * What {@code upstreamModel} on this backend can do, as far as the backend knows (its type's limits,
     * what configuration declares, what the upstream reported). Routing skips a route that cannot serve a
     * request; unknown capabilities are left to the backend.
     */
    default ModelCapabilities capabilities(String upstreamModel) {
        return ModelCapabilities.UNKNOWN;
    }

    /** Whether the backend can take traffic now (server and model ready). Backends without a probe say yes. */
    default CompletableFuture<Boolean> probeReady() {
        return CompletableFuture.completedFuture(true);
    }

    /**
     * Whether {@code upstreamModel} on this backend can take traffic now (for Triton: server ready and that model's
     * {@code ModelReady}). Backends without a per-model probe answer for the backend as a whole.
     */
    default CompletableFuture<Boolean> probeReady(String upstreamModel) {
        return probeReady();
    }

    /**
     * True when {@link #probeReady} really asks the backend. Only a real probe may end an open circuit early
     * ({@link CircuitBreakerPort.CircuitGate#markReady}); a backend that always says yes would otherwise defeat its breaker.
     */
    default boolean hasReadinessProbe() {
        return false;
    }

    /**
     * How {@code upstreamModel} is best asked to continue an answer another backend began: with the partial answer as
     * an open assistant turn (DeepSeek's {@code prefix: true}, a Triton chat template left open), or by a prompt.
     */
    default ContinuationStyle continuation(String upstreamModel) {
        return ContinuationStyle.PROMPT;
    }

    @Override
    default void close() {
    }
}
