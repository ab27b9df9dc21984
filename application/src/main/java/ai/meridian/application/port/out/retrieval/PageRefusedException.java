package ai.meridian.application.port.out.retrieval;

/** A page that was not fetched, and why (e.g. "refused: 127.0.0.1 is a loopback address"). */
public class PageRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PageRefusedException(String reason) {
        super(reason, null, false, false);
    }
}
