package ai.meridian.application.port.out;

import java.util.Objects;

/** A document as uploaded: its file name (may be empty), declared content type (may be empty) and bytes. */
public record DocumentContent(String filename, String contentType, byte[] bytes) {

    public DocumentContent {
        filename = filename == null ? "" : filename;
        contentType = contentType == null ? "" : contentType;
        Objects.requireNonNull(bytes, "bytes");
    }
}
