package ai.meridian.application.port.in;

import java.util.Objects;
import java.util.Optional;

/** A request presents a key; the gateway wants to know who is calling, on behalf of which tenant. */
public interface AuthenticateCallerUseCase {

    /** The caller behind a bearer token (null when none was sent), or empty when the key is not accepted. */
    Optional<Caller> authenticate(String bearerToken);

    /** True when no key is configured: every caller acts for the default tenant (the gateway then binds to loopback). */
    boolean isOpen();

    /** An authenticated caller: the tenant it acts for and a non-secret id of its key. */
    record Caller(String tenant, String keyId) {
        public Caller {
            Objects.requireNonNull(tenant, "tenant");
            Objects.requireNonNull(keyId, "keyId");
        }
    }
}
