package ai.meridian.application.service;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * One master key for the whole gateway, acting for tenant {@code default} (per-tenant keys build on
 * this use case later). Without a key every caller is accepted for the default tenant.
 */
public final class MasterKeyAuthentication implements AuthenticateCallerUseCase {
    public static final String DEFAULT_TENANT = "default";

    private final byte[] masterKey;

    public MasterKeyAuthentication(String masterKey) {
        this.masterKey = masterKey == null || masterKey.isBlank() ? null : masterKey.trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Optional<Caller> authenticate(String bearerToken) {
        if (masterKey == null) {
            return Optional.of(new Caller(DEFAULT_TENANT, "anonymous"));
        }
        if (bearerToken == null) {
            return Optional.empty();
        }
        // Constant time: the comparison must not reveal how much of a guess was right.
        boolean match = MessageDigest.isEqual(masterKey, bearerToken.getBytes(StandardCharsets.UTF_8));
        return match ? Optional.of(new Caller(DEFAULT_TENANT, "master")) : Optional.empty();
    }

    @Override
    public boolean isOpen() {
        return masterKey == null;
    }
}
