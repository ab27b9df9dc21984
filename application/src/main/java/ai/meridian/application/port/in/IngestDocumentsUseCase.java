package ai.meridian.application.port.in;

import ai.meridian.application.port.out.DocumentContent;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.IngestionJob;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A tenant wants documents in a knowledge base. Ingestion runs in the background; the job it returns at
 * once reports progress (documents and chunks done out of their totals) and each document's error.
 */
public interface IngestDocumentsUseCase {

    CompletableFuture<IngestionJob> ingest(CallerContext caller, String knowledgeBase, List<DocumentSource> documents);

    CompletableFuture<IngestionJob> job(CallerContext caller, String jobId);

    /**
     * Where a document's content comes from, and the metadata it carries (filterable at query time; the document's
     * {@code title} and {@code source} are added unless given).
     */
    sealed interface DocumentSource {
        DocumentMetadata metadata();

        /** Text given directly, with a title (may be empty) and a source label or URL (may be empty). */
        record Text(String title, String text, String source, DocumentMetadata metadata) implements DocumentSource {
            public Text {
                Objects.requireNonNull(text, "text");
                title = title == null ? "" : title;
                source = source == null ? "" : source;
                metadata = metadata == null ? DocumentMetadata.EMPTY : metadata;
            }

            public Text(String title, String text, String source) {
                this(title, text, source, DocumentMetadata.EMPTY);
            }
        }

        /** An uploaded file (text, Markdown, HTML or PDF). */
        record File(DocumentContent content, DocumentMetadata metadata) implements DocumentSource {
            public File {
                Objects.requireNonNull(content, "content");
                metadata = metadata == null ? DocumentMetadata.EMPTY : metadata;
            }

            public File(DocumentContent content) {
                this(content, DocumentMetadata.EMPTY);
            }
        }

        /** A public web page, fetched with the same safety rules as web search results. */
        record Url(String url, DocumentMetadata metadata) implements DocumentSource {
            public Url {
                Objects.requireNonNull(url, "url");
                metadata = metadata == null ? DocumentMetadata.EMPTY : metadata;
            }

            public Url(String url) {
                this(url, DocumentMetadata.EMPTY);
            }
        }
    }
}
