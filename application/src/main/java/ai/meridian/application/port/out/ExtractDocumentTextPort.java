package ai.meridian.application.port.out;

import java.util.concurrent.CompletableFuture;

/**
 * Reads the text out of uploaded documents (plain text, Markdown, HTML, PDF). A type it cannot read, or a
 * broken file, fails the future with {@link UnreadableDocumentException}. Parsing is CPU work done on the
 * adapter's own bounded executor.
 */
public interface ExtractDocumentTextPort {

    CompletableFuture<DocumentText> extract(DocumentContent content);
}
