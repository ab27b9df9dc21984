package ai.meridian.domain.error;

/** Carries a {@link GatewayError} through code that signals failure by throwing. */
public class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient GatewayError error;

    public GatewayException(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public GatewayException(GatewayError error, Throwable cause) {
        super(error.message(), cause, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }

    public static GatewayException invalid(String param, String message) {
        return new GatewayException(GatewayError.invalid(param, message));
    }
}
