package ai.meridian.domain.tenancy;

import java.util.Locale;

/** A key is active until revoked; revocation is final (rotate to replace a secret instead). */
public enum KeyStatus {
    ACTIVE, REVOKED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
