package ai.meridian.adapter.out.triton;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Makes {@code type: triton} backends. Their first-token timers share one daemon thread, which only
 * cancels late calls; gRPC's own event loops carry the traffic.
 */
public final class TritonBackendFactory implements ModelBackendFactory, AutoCloseable {
    public static final String TYPE = "triton";

    private final ScheduledThreadPoolExecutor timers;

    public TritonBackendFactory() {
        timers = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "meridian-triton-timers");
            thread.setDaemon(true);
            return thread;
        });
        // Most timers are cancelled by an answer that came in time; do not keep them queued.
        timers.setRemoveOnCancelPolicy(true);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * Creates the backend and checks its model's metadata against the convention (blocking for at
     * most twice the connect timeout per endpoint, at start-up).
     */
    @Override
    public ModelBackend create(BackendSettings settings) {
        TritonModelBackend backend = new TritonModelBackend(TritonBackendConfig.from(settings), timers);
        try {
            backend.verifyModelAtStartup();
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
