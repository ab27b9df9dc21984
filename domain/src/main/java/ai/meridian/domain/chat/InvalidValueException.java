package ai.meridian.domain.chat;

/** A value that breaks a domain rule; {@code param} names the request field it came from. */
public class InvalidValueException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String param;

    public InvalidValueException(String param, String message) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
