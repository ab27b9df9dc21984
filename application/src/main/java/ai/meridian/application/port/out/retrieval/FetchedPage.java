package ai.meridian.application.port.out.retrieval;

import java.util.Objects;

/** A fetched web page reduced to its main text: where it ended up after redirects, its title and text. */
public record FetchedPage(String requestedUrl, String finalUrl, String title, String text, String publishedDate) {

    public FetchedPage {
        Objects.requireNonNull(requestedUrl, "requestedUrl");
        Objects.requireNonNull(finalUrl, "finalUrl");
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
        publishedDate = publishedDate == null ? "" : publishedDate;
    }
}
