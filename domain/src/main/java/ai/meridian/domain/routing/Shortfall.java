package ai.meridian.domain.routing;

/** Why a route cannot serve a request: the request field at fault (may be null) and a sentence for the client. */
public record Shortfall(String param, String reason) {

    public Shortfall {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a shortfall needs a reason");
        }
    }
}
