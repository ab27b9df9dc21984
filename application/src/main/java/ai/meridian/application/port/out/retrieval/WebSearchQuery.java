package ai.meridian.application.port.out.retrieval;

import java.time.Duration;
import java.util.Objects;

/** A web search: the query (at most 500 characters), recency, how many results, and the time allowed. */
public record WebSearchQuery(String text, TimeRange timeRange, int maxResults, Duration timeout) {

    public WebSearchQuery {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a web search needs a query");
        }
        text = text.length() > 500 ? text.substring(0, 500) : text;
        Objects.requireNonNull(timeRange, "timeRange");
        if (maxResults < 1 || maxResults > 50) {
            throw new IllegalArgumentException("maxResults must be between 1 and 50");
        }
        Objects.requireNonNull(timeout, "timeout");
    }
}
