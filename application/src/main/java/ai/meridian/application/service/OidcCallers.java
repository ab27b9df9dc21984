package ai.meridian.application.service;

import ai.meridian.application.port.out.VerifyTokenPort;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.Role;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Who an identity provider's token stands for: the tenant from one claim, the role from another (a string or a list;
 * provider values are mapped to roles by configuration, the strongest wins; without a role claim the default role, or
 * a refusal when there is none). The caller's id is {@code oidc:<sub>}.
 */
public final class OidcCallers {
    private final VerifyTokenPort verifier;
    private final String tenantClaim;
    private final String roleClaim;
    private final Map<String, Role> roleValues;
    private final Optional<Role> defaultRole;

    public OidcCallers(VerifyTokenPort verifier, String tenantClaim, String roleClaim, Map<String, Role> roleValues, Optional<Role> defaultRole) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.tenantClaim = Objects.requireNonNull(tenantClaim, "tenantClaim");
        this.roleClaim = Objects.requireNonNull(roleClaim, "roleClaim");
        this.roleValues = Map.copyOf(roleValues);
        this.defaultRole = Objects.requireNonNull(defaultRole, "defaultRole");
    }

    boolean handles(String token) {
        return verifier.handles(token);
    }

    /** A mapped identity, or why there is none. */
    record Mapped(Optional<String> tenant, Optional<String> subject, Optional<Access> access, String failure) {
    }

    Mapped map(String token) {
        VerifyTokenPort.Verification verification = verifier.verify(token);
        if (verification.claims().isEmpty()) {
            return new Mapped(Optional.empty(), Optional.empty(), Optional.empty(), verification.failure());
        }
        Map<String, Object> claims = verification.claims().get();
        Object tenant = claims.get(tenantClaim);
        if (!(tenant instanceof String t) || t.isBlank()) {
            return new Mapped(Optional.empty(), Optional.empty(), Optional.empty(), "no '" + tenantClaim + "' claim");
        }
        Optional<Role> role = role(claims.get(roleClaim)).or(() -> defaultRole);
        if (role.isEmpty()) {
            return new Mapped(Optional.of(t), Optional.empty(), Optional.empty(), "no role in '" + roleClaim + "'");
        }
        Object sub = claims.get("sub");
        String subject = sub instanceof String s && !s.isBlank() ? s : "unknown";
        if (subject.length() > 100) {
            subject = subject.substring(0, 100);
        }
        return new Mapped(Optional.of(t), Optional.of(subject),
                Optional.of(new Access(role.get(), List.of(), List.of(), KeyLimits.NONE, false)), "");
    }

    private Optional<Role> role(Object claim) {
        Collection<?> values = claim instanceof Collection<?> c ? c : claim == null ? List.of() : List.of(claim);
        Role best = null;
        for (Object value : values) {
            Role mapped = roleValues.get(String.valueOf(value));
            if (mapped != null && (best == null || mapped.ordinal() < best.ordinal())) {
                best = mapped; // ADMIN < MEMBER < READER in declaration order: the strongest wins
            }
        }
        return Optional.ofNullable(best);
    }
}
