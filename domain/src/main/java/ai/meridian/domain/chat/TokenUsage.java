package ai.meridian.domain.chat;

import java.util.Map;

/**
 * Tokens a completion consumed. {@code cachedPromptTokens} (prompt tokens served from the provider's cache)
 * and {@code reasoningTokens} (completion tokens spent on reasoning) are 0 when not reported; the usage
 * ledger reads them. {@code details} keeps every other usage field the backend reported, as raw JSON, so the
 * client sees them as the backend wrote them ({@code prompt_tokens_details}, {@code completion_tokens_details},
 * DeepSeek's {@code prompt_cache_hit_tokens}/{@code prompt_cache_miss_tokens}, ...).
 */
public record TokenUsage(int promptTokens, int completionTokens, int cachedPromptTokens, int reasoningTokens,
                         Map<String, String> details) {
    public static final TokenUsage ZERO = new TokenUsage(0, 0);

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        details = RawFields.copy(details);
    }

    public TokenUsage(int promptTokens, int completionTokens) {
        this(promptTokens, completionTokens, 0, 0, Map.of());
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }

    /** Both usages added up (several choices, or parts of a spliced answer); details are the first's. */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(promptTokens + other.promptTokens, completionTokens + other.completionTokens,
                cachedPromptTokens + other.cachedPromptTokens, reasoningTokens + other.reasoningTokens,
                details.isEmpty() ? other.details : details);
    }
}
