package ai.meridian.application.port.out.retrieval;

import java.util.Objects;

/**
 * One web search result: title, url, snippet, publication date as given (may be empty), the page's main
 * text when the search engine already returns it (may be empty: then the page can be fetched), hostname.
 */
public record WebResult(String title, String url, String snippet, String publishedDate, String mainText, String hostname) {

    public WebResult {
        title = title == null ? "" : title;
        Objects.requireNonNull(url, "url");
        snippet = snippet == null ? "" : snippet;
        publishedDate = publishedDate == null ? "" : publishedDate;
        mainText = mainText == null ? "" : mainText;
        hostname = hostname == null ? "" : hostname;
    }
}
