package ai.meridian.application.port.out.retrieval;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Searches the live web. Throttling, quota and outages complete the future with
 * {@link RetrievalUnavailableException} (degraded retrieval), never with an error the chat would fail on.
 */
public interface SearchWebPort {

    /** The engine's name, as sources report it (e.g. {@code quark}, {@code searxng}). */
    String name();

    CompletableFuture<List<WebResult>> search(WebSearchQuery query);
}
