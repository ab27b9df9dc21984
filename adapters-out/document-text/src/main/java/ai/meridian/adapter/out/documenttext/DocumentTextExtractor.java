package ai.meridian.adapter.out.documenttext;

import ai.meridian.application.port.out.DocumentContent;
import ai.meridian.application.port.out.DocumentText;
import ai.meridian.application.port.out.ExtractDocumentTextPort;
import ai.meridian.application.port.out.UnreadableDocumentException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.commonmark.node.Heading;
import org.commonmark.node.Node;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.text.TextContentRenderer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * Text out of plain text (UTF-8, else GB18030 for Chinese files), Markdown (rendered to text, the first
 * heading as title), HTML (scripts, styles and navigation dropped) and PDF (PDFBox). The type is taken from
 * the content type, else the file name's extension, else sniffed from the first bytes.
 */
public final class DocumentTextExtractor implements ExtractDocumentTextPort {
    private static final Charset GB18030 = Charset.forName("GB18030");

    private final Executor executor;

    public DocumentTextExtractor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public CompletableFuture<DocumentText> extract(DocumentContent content) {
        return CompletableFuture.supplyAsync(() -> extractNow(content), executor);
    }

    enum Kind { TEXT, MARKDOWN, HTML, PDF }

    DocumentText extractNow(DocumentContent content) {
        Kind kind = kindOf(content);
        DocumentText text;
        switch (kind) {
            case PDF:
                text = pdf(content.bytes());
                break;
            case HTML:
                text = html(decode(content.bytes()));
                break;
            case MARKDOWN:
                text = markdown(decode(content.bytes()));
                break;
            default:
                text = new DocumentText("", decode(content.bytes()).strip());
        }
        if (text.text().isBlank()) {
            throw new UnreadableDocumentException("the document '" + content.filename() + "' contains no readable text");
        }
        return text;
    }

    static Kind kindOf(DocumentContent content) {
        String type = content.contentType().toLowerCase(Locale.ROOT);
        String name = content.filename().toLowerCase(Locale.ROOT);
        if (type.startsWith("application/pdf") || name.endsWith(".pdf")) {
            return Kind.PDF;
        }
        if (type.startsWith("text/html") || type.startsWith("application/xhtml") || name.endsWith(".html") || name.endsWith(".htm")) {
            return Kind.HTML;
        }
        if (type.startsWith("text/markdown") || name.endsWith(".md") || name.endsWith(".markdown")) {
            return Kind.MARKDOWN;
        }
        if (type.startsWith("text/") || name.endsWith(".txt") || type.isEmpty() || type.startsWith("application/octet-stream")) {
            byte[] b = content.bytes();
            if (b.length >= 5 && b[0] == '%' && b[1] == 'P' && b[2] == 'D' && b[3] == 'F' && b[4] == '-') {
                return Kind.PDF;
            }
            if (type.startsWith("text/") || name.endsWith(".txt") || looksLikeText(b)) {
                return Kind.TEXT;
            }
        }
        throw new UnreadableDocumentException("unsupported document type '" + (type.isEmpty() ? name : type)
                + "': upload plain text, Markdown, HTML or PDF");
    }

    private static boolean looksLikeText(byte[] bytes) {
        int n = Math.min(bytes.length, 4096);
        for (int i = 0; i < n; i++) {
            if (bytes[i] == 0) {
                return false;
            }
        }
        return true;
    }

    /** UTF-8 (BOM tolerated) when the bytes are valid UTF-8, else GB18030, the superset of GBK/GB2312. */
    static String decode(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF ? 3 : 0;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(bytes, GB18030);
        }
    }

    private static DocumentText html(String html) {
        Document document = Jsoup.parse(html);
        document.select("script, style, noscript, nav, header, footer, template, iframe, svg").remove();
        String title = document.title();
        String text = document.body() == null ? "" : document.body().wholeText();
        return new DocumentText(title, collapseBlankLines(text));
    }

    private static DocumentText markdown(String markdown) {
        Node document = Parser.builder().build().parse(markdown);
        String[] title = {""};
        document.accept(new AbstractVisitor() {
            @Override
            public void visit(Heading heading) {
                if (title[0].isEmpty()) {
                    title[0] = TextContentRenderer.builder().build().render(heading).strip();
                }
            }
        });
        return new DocumentText(title[0], collapseBlankLines(TextContentRenderer.builder().build().render(document)));
    }

    private static DocumentText pdf(byte[] bytes) {
        try (PDDocument document = Loader.loadPDF(bytes)) {
            if (document.isEncrypted() && !document.getCurrentAccessPermission().canExtractContent()) {
                throw new UnreadableDocumentException("the PDF does not allow its text to be extracted");
            }
            String title = document.getDocumentInformation() == null || document.getDocumentInformation().getTitle() == null
                    ? "" : document.getDocumentInformation().getTitle();
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            return new DocumentText(title.strip(), collapseBlankLines(stripper.getText(document)));
        } catch (IOException e) {
            throw new UnreadableDocumentException("the PDF could not be read: " + e.getMessage());
        }
    }

    private static String collapseBlankLines(String text) {
        return text.replace("\r\n", "\n").replaceAll("[ \\t\\x0B\\f]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
    }
}
