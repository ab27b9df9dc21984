package ai.meridian.adapter.out.documenttext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.DocumentContent;
import ai.meridian.application.port.out.DocumentText;
import ai.meridian.application.port.out.UnreadableDocumentException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;

class DocumentTextExtractorTest {
    private final DocumentTextExtractor extractor = new DocumentTextExtractor(Executors.newSingleThreadExecutor());

    private DocumentText extract(String name, String type, byte[] bytes) throws Exception {
        return extractor.extract(new DocumentContent(name, type, bytes)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void plainTextInUtf8AndGbk() throws Exception {
        assertThat(extract("notes.txt", "text/plain", "\uFEFFHello, 世界".getBytes(StandardCharsets.UTF_8)).text()).isEqualTo("Hello, 世界");
        assertThat(extract("gbk.txt", "", "长城是中国古代的军事防御工程。".getBytes(Charset.forName("GBK"))).text())
                .isEqualTo("长城是中国古代的军事防御工程。");
    }

    @Test
    void markdownBecomesTextWithTheFirstHeadingAsTitle() throws Exception {
        DocumentText text = extract("guide.md", "", "# Install Meridian\n\nRun `java -jar meridian.jar`.\n\n- one\n- two\n".getBytes(StandardCharsets.UTF_8));
        assertThat(text.title()).isEqualTo("Install Meridian");
        assertThat(text.text()).contains("java -jar meridian.jar").contains("one").doesNotContain("#").doesNotContain("`");
    }

    @Test
    void htmlDropsScriptsStylesAndNavigation() throws Exception {
        String html = "<html><head><title>Fusion</title><style>p{}</style><script>alert(1)</script></head><body>"
                + "<nav>Home | About</nav><h1>RRF</h1><p>Reciprocal rank fusion uses k = 60.</p><footer>© 2026</footer></body></html>";
        DocumentText text = extract("page.html", "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        assertThat(text.title()).isEqualTo("Fusion");
        assertThat(text.text()).contains("Reciprocal rank fusion uses k = 60.").doesNotContain("alert").doesNotContain("Home | About")
                .doesNotContain("2026");
    }

    @Test
    void pdfTextAndTitle() throws Exception {
        ByteArrayOutputStream pdf = new ByteArrayOutputStream();
        try (PDDocument document = new PDDocument()) {
            PDPage page = new PDPage();
            document.addPage(page);
            PDDocumentInformation info = new PDDocumentInformation();
            info.setTitle("Gateway manual");
            document.setDocumentInformation(info);
            try (PDPageContentStream stream = new PDPageContentStream(document, page)) {
                stream.beginText();
                stream.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                stream.newLineAtOffset(72, 700);
                stream.showText("Meridian routes requests to model backends.");
                stream.endText();
            }
            document.save(pdf);
        }
        DocumentText text = extract("manual.pdf", "application/pdf", pdf.toByteArray());
        assertThat(text.title()).isEqualTo("Gateway manual");
        assertThat(text.text()).contains("Meridian routes requests to model backends.");
        assertThat(extract("upload.bin", "application/octet-stream", pdf.toByteArray()).text()).as("sniffed").contains("Meridian");
    }

    @Test
    void unreadableDocumentsAreRefusedWithAReason() {
        assertThatThrownBy(() -> extract("x.pdf", "application/pdf", "%PDF-1.7 not really".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(UnreadableDocumentException.class).hasMessageContaining("PDF");
        assertThatThrownBy(() -> extract("photo.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0}))
                .cause().isInstanceOf(UnreadableDocumentException.class).hasMessageContaining("unsupported document type");
        assertThatThrownBy(() -> extract("empty.txt", "text/plain", "   \n ".getBytes(StandardCharsets.UTF_8)))
                .cause().hasMessageContaining("no readable text");
    }
}
