package ai.meridian.application.port.in;

import ai.meridian.domain.tenancy.Access;
import java.util.Objects;
import java.util.Optional;

/**
 * A request presents a credential; the gateway wants to know who is calling, on behalf of which tenant, and
 * what it may do. Every door asks this one use case; it never touches a database per request (keys are held in
 * memory and refreshed on change), and it records refused credentials in the audit log.
 */
public interface AuthenticateCallerUseCase {

    /**
     * The caller behind a token (null when none was sent), or empty when it is not accepted.
     * {@code clientAddress} (may be null) is recorded with a refusal.
     */
    Optional<Caller> authenticate(String token, String clientAddress);

    default Optional<Caller> authenticate(String token) {
        return authenticate(token, null);
    }

    /**
     * Like {@link #authenticate(String, String)}, but a refusal is not recorded: for a door that only looks whether it
     * can take a request itself and hands anything refused on to a path that authenticates it again (and records that).
     */
    default Optional<Caller> check(String token, String clientAddress) {
        return authenticate(token, clientAddress);
    }

    /** True when no master key is configured: callers without a key act as the operator (the gateway then binds to loopback). */
    boolean isOpen();

    /** An authenticated caller: the tenant it acts for, a non-secret id of its key, and what it may do. */
    record Caller(String tenant, String keyId, Access access) {
        public Caller {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(access, "access");
        }
    }
}
