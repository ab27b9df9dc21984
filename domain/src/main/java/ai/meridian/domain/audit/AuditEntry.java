package ai.meridian.domain.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log: when, which tenant it concerns, who acted (a key id, {@code master}, or the key a
 * failed attempt presented), what they did and to what, whether it worked, from which client address and under
 * which request id, and details (never a secret). {@code id} is assigned by the store (0 before).
 */
public record AuditEntry(long id, Instant at, String tenant, String actor, String action, String target, String outcome,
                         String clientAddress, String requestId, String detail) {
    public static final String OK = "ok";
    public static final String DENIED = "denied";

    public AuditEntry {
        Objects.requireNonNull(at, "at");
        tenant = clip(tenant, 128);
        actor = clip(actor, 128);
        action = Objects.requireNonNull(clip(action, 64), "action");
        target = clip(target, 256);
        outcome = clip(outcome, 32);
        clientAddress = clip(clientAddress, 64);
        requestId = clip(requestId, 128);
        detail = clip(detail, 1000);
    }

    private static String clip(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max);
    }

    public AuditEntry withId(long assigned) {
        return new AuditEntry(assigned, at, tenant, actor, action, target, outcome, clientAddress, requestId, detail);
    }
}
