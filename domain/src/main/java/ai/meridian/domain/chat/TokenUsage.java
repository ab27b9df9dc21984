package ai.meridian.domain.chat;

/** Tokens a completion consumed. */
public record TokenUsage(int promptTokens, int completionTokens) {

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
