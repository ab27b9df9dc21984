package ai.meridian.domain.tenancy;

import java.util.Locale;
import java.util.Optional;

/**
 * What a key may do within its tenant. {@code admin}: everything, including the tenant's keys, usage and
 * audit log; {@code member}: use models and manage the tenant's conversations and knowledge bases;
 * {@code reader}: read only (list and read resources, query knowledge bases), no model calls, no writes.
 */
public enum Role {
    ADMIN, MEMBER, READER;

    public boolean permits(Action action) {
        return switch (action) {
            case READ -> true;
            case WRITE, USE_MODELS -> this != READER;
            case ADMINISTER -> this == ADMIN;
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWire(String wire) {
        if (wire == null) {
            return Optional.empty();
        }
        for (Role role : values()) {
            if (role.wireName().equals(wire)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
