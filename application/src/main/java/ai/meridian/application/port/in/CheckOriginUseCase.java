package ai.meridian.application.port.in;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;

/**
 * A browser asks, by its {@code Origin}, whether it may call the API (CORS). Off unless configured; origins
 * come from configuration (for every tenant) and from each tenant's own list.
 */
public interface CheckOriginUseCase {

    boolean enabled();

    /** A preflight carries no key: it is allowed when any enabled tenant, or the configuration, allows the origin. */
    boolean allowsPreflight(String origin);

    /** An actual request: allowed when the configuration or the caller's own tenant allows the origin. */
    boolean allows(Caller caller, String origin);
}
