package ai.meridian.adapter.out.triton;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;

/**
 * Makes {@code type: triton} backends. They share one deadline watch (a daemon thread that only
 * cancels late calls); gRPC's own event loops carry the traffic.
 */
public final class TritonBackendFactory implements ModelBackendFactory, AutoCloseable {
    public static final String TYPE = "triton";

    private final DeadlineWatch deadlineWatch = new DeadlineWatch();

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
        TritonModelBackend backend = new TritonModelBackend(TritonBackendConfig.from(settings), deadlineWatch);
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
        deadlineWatch.close();
    }
}
