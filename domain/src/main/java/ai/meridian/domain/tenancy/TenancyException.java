package ai.meridian.domain.tenancy;

/** A tenancy value that cannot be: names the offending field as the client sent it. */
public final class TenancyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String param;

    public TenancyException(String param, String message) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
