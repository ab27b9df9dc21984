package ai.meridian.domain.tenancy;

import java.util.List;
import java.util.Objects;

/**
 * What an authenticated caller may do: its role in its tenant, the models and knowledge bases it may use
 * (empty: all), its limits, and whether it is the operator (master key), who administers every tenant.
 */
public record Access(Role role, List<String> allowedModels, List<String> allowedKnowledgeBases, KeyLimits limits, boolean operator) {
    /** The operator: the master key, or every caller of a gateway without keys. */
    public static final Access OPERATOR = new Access(Role.ADMIN, List.of(), List.of(), KeyLimits.NONE, true);

    public Access {
        Objects.requireNonNull(role, "role");
        allowedModels = List.copyOf(allowedModels == null ? List.of() : allowedModels);
        allowedKnowledgeBases = List.copyOf(allowedKnowledgeBases == null ? List.of() : allowedKnowledgeBases);
        limits = limits == null ? KeyLimits.NONE : limits;
    }

    public boolean permits(Action action) {
        return operator || role.permits(action);
    }

    /** A model may be used when the list is empty or names it (by id or by the alias the client used). */
    public boolean mayUseModel(String requested, String resolvedId) {
        return allowedModels.isEmpty() || allowedModels.contains(requested) || allowedModels.contains(resolvedId);
    }

    public boolean mayUseKnowledgeBase(String name) {
        return allowedKnowledgeBases.isEmpty() || allowedKnowledgeBases.contains(name);
    }

    /** True when every knowledge base may be used (no allow-list). */
    public boolean allKnowledgeBases() {
        return allowedKnowledgeBases.isEmpty();
    }
}
