package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.domain.tenancy.Access;
import java.util.Optional;

/** One key for the adapter's own tests: the adapter is tested against its port, the key directory has tests of its own. */
final class SingleKeyAuthentication implements AuthenticateCallerUseCase {
    private final String key;

    SingleKeyAuthentication(String key) {
        this.key = key;
    }

    @Override
    public Optional<Caller> authenticate(String token, String clientAddress) {
        return key.equals(token) ? Optional.of(new Caller("default", "master", Access.OPERATOR)) : Optional.empty();
    }

    @Override
    public boolean isOpen() {
        return false;
    }
}
