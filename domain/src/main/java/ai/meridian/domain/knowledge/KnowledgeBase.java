package ai.meridian.domain.knowledge;

import ai.meridian.domain.retrieval.GroundingSettings;
import java.time.Instant;
import java.util.Objects;

/** A tenant's named collection of documents that answers can be grounded in. */
public record KnowledgeBase(String tenant, String name, String description, Instant createdAt) {

    public KnowledgeBase {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        if (GroundingSettings.ALL_KNOWLEDGE_BASES.equals(name)) {
            throw new ai.meridian.domain.chat.InvalidValueException("name", "'*' stands for all knowledge bases and cannot be a name");
        }
        try {
            GroundingSettings.checkName(name);
        } catch (ai.meridian.domain.chat.InvalidValueException e) {
            throw new ai.meridian.domain.chat.InvalidValueException("name", e.getMessage());
        }
        description = description == null ? "" : description;
        if (description.length() > 1000) {
            throw new ai.meridian.domain.chat.InvalidValueException("description", "description must be at most 1000 characters");
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
