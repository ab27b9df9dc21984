package ai.meridian.application.port.out;

import java.util.Objects;

/** The readable text of a document and its title (from the document itself, else empty). */
public record DocumentText(String title, String text) {

    public DocumentText {
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
    }
}
