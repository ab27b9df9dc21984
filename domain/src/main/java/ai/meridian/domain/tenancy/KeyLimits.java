package ai.meridian.domain.tenancy;

/**
 * A key's limits; {@code null} means no limit. Requests and tokens per minute are rates (a window of a
 * minute that starts with the first request after the last one closed); the daily and monthly token
 * budgets are calendar periods in UTC.
 */
public record KeyLimits(Long requestsPerMinute, Long tokensPerMinute, Long dailyTokens, Long monthlyTokens) {
    public static final KeyLimits NONE = new KeyLimits(null, null, null, null);

    public KeyLimits {
        positive("requests_per_minute", requestsPerMinute);
        positive("tokens_per_minute", tokensPerMinute);
        positive("daily_token_budget", dailyTokens);
        positive("monthly_token_budget", monthlyTokens);
    }

    private static void positive(String name, Long value) {
        if (value != null && value < 1) {
            throw new TenancyException(name, name + " must be at least 1 (leave it out for no limit)");
        }
    }

    public boolean any() {
        return requestsPerMinute != null || tokensPerMinute != null || dailyTokens != null || monthlyTokens != null;
    }

    /** True when a limit counts tokens, so the tokens a request will cost must be estimated before it is admitted. */
    public boolean countsTokens() {
        return tokensPerMinute != null || dailyTokens != null || monthlyTokens != null;
    }
}
