package ai.meridian.domain.knowledge;

import java.util.List;
import java.util.Objects;

/**
 * Which documents a search may return: all of the conditions ({@code and}) or any of them ({@code or}), as Dify's
 * {@code metadata_condition} has it. No conditions: every document.
 */
public record MetadataFilter(Logic logic, List<MetadataCondition> conditions) {
    public static final MetadataFilter NONE = new MetadataFilter(Logic.AND, List.of());
    public static final int MAX_CONDITIONS = 32;

    public MetadataFilter {
        Objects.requireNonNull(logic, "logic");
        conditions = List.copyOf(Objects.requireNonNull(conditions, "conditions"));
        if (conditions.size() > MAX_CONDITIONS) {
            throw new IllegalArgumentException("at most " + MAX_CONDITIONS + " metadata conditions");
        }
    }

    public enum Logic {
        AND, OR
    }

    public static MetadataFilter all(MetadataCondition... conditions) {
        return new MetadataFilter(Logic.AND, List.of(conditions));
    }

    public static MetadataFilter any(MetadataCondition... conditions) {
        return new MetadataFilter(Logic.OR, List.of(conditions));
    }

    public boolean isNone() {
        return conditions.isEmpty();
    }

    public boolean matches(DocumentMetadata metadata) {
        if (conditions.isEmpty()) {
            return true;
        }
        return logic == Logic.AND ? conditions.stream().allMatch(c -> c.matches(metadata))
                : conditions.stream().anyMatch(c -> c.matches(metadata));
    }
}
