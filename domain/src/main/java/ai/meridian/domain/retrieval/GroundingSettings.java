package ai.meridian.domain.retrieval;

import ai.meridian.domain.chat.InvalidValueException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether and how answers are grounded: live web search, the knowledge bases to search, how many sources
 * to give the model at most, and the token budget for their text.
 */
public record GroundingSettings(boolean webSearch, List<String> knowledgeBases, int maxSources, int contextTokens) {
    private static final Pattern KNOWLEDGE_BASE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    public static final int DEFAULT_MAX_SOURCES = 8;
    public static final int DEFAULT_CONTEXT_TOKENS = 3000;
    public static final GroundingSettings NONE = new GroundingSettings(false, List.of(), DEFAULT_MAX_SOURCES, DEFAULT_CONTEXT_TOKENS);

    public GroundingSettings {
        knowledgeBases = knowledgeBases == null ? List.of() : List.copyOf(knowledgeBases);
        knowledgeBases.forEach(GroundingSettings::checkName);
        if (maxSources < 1 || maxSources > 50) {
            throw new IllegalArgumentException("max-sources must be between 1 and 50");
        }
        if (contextTokens < 100) {
            throw new IllegalArgumentException("context-tokens must be at least 100");
        }
    }

    /** Stands for every knowledge base of the caller's tenant. */
    public static final String ALL_KNOWLEDGE_BASES = "*";

    /** Knowledge base names: lower-case letters, digits, '-' and '_', 1 to 64 characters; or {@code *} for all. */
    public static String checkName(String name) {
        if (ALL_KNOWLEDGE_BASES.equals(name)) {
            return name;
        }
        if (name == null || !KNOWLEDGE_BASE_NAME.matcher(name).matches()) {
            throw new InvalidValueException("knowledge_bases",
                    "knowledge base names use lower-case letters, digits, '-' and '_' (1 to 64 characters), not '" + name + "'");
        }
        return name;
    }

    public boolean enabled() {
        return webSearch || !knowledgeBases.isEmpty();
    }

    /** This model's settings as one request overrides them: {@code web_search} and {@code knowledge_bases} win when given. */
    public GroundingSettings overriddenBy(GroundingRequest request) {
        return new GroundingSettings(request.webSearch().orElse(webSearch), request.knowledgeBases().orElse(knowledgeBases),
                maxSources, contextTokens);
    }
}
