package ai.meridian.application.port.out;

import ai.meridian.domain.fallback.Failure;

/** A backend call that failed, classified for the fallback plan. */
public class BackendFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Failure failure;

    public BackendFailureException(Failure failure) {
        super(failure.kind() + ": " + failure.message(), null, false, false);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
