package ai.meridian.application.port.out.retrieval;

import java.util.concurrent.CompletableFuture;

/**
 * Fetches a public web page and extracts its main text. Refuses (with {@link PageRefusedException}) what it
 * must not or cannot fetch: private, loopback, link-local and metadata addresses (also after redirects),
 * non-HTTP schemes, non-text content, pages over the time or redirect limits. A page over the size limit is
 * cut there: its text is what arrived before the cap.
 */
public interface FetchPagePort {

    CompletableFuture<FetchedPage> fetch(String url);
}
