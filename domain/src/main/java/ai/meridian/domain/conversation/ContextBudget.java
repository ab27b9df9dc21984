package ai.meridian.domain.conversation;

/**
 * How many tokens of a model's context window the prompt may use: the window less what is kept free
 * for the answer (the request's {@code max_tokens}, else a quarter of the window up to 1024).
 */
public record ContextBudget(int contextWindowTokens, int reservedForAnswer) {
    static final int DEFAULT_ANSWER_RESERVE = 1024;

    public ContextBudget {
        if (contextWindowTokens < 256) {
            throw new IllegalArgumentException("a context window has at least 256 tokens, not " + contextWindowTokens);
        }
        if (reservedForAnswer < 0) {
            throw new IllegalArgumentException("reservedForAnswer must not be negative");
        }
    }

    /** The budget for a model with this window, for a request that may have set {@code max_tokens}. */
    public static ContextBudget of(int contextWindowTokens, Integer maxAnswerTokens) {
        int reserve = maxAnswerTokens != null ? maxAnswerTokens : Math.min(DEFAULT_ANSWER_RESERVE, contextWindowTokens / 4);
        return new ContextBudget(contextWindowTokens, Math.min(reserve, contextWindowTokens));
    }

    public int promptTokens() {
        return contextWindowTokens - reservedForAnswer;
    }
}
