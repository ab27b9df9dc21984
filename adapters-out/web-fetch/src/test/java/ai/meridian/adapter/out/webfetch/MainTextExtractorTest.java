package ai.meridian.adapter.out.webfetch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Extraction details: dates, hiding styles, text layout, and charset choice. */
class MainTextExtractorTest {
    private final MainTextExtractor extractor = new MainTextExtractor(10_000);

    @Test
    void findsPublicationDatesInJsonLdAndTimeElements() {
        String jsonLd = "<html><head><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"datePublished\":\"2024-02-29T12:00:00+08:00\"}"
                + "</script></head><body><p>Body text.</p></body></html>";
        assertThat(extractor.fromHtml(jsonLd, "https://e.example/").publishedDate()).isEqualTo("2024-02-29T12:00:00+08:00");
        String time = "<html><body><article><time datetime=\"2023-07-01\">July 1</time><p>Body text.</p></article></body></html>";
        assertThat(extractor.fromHtml(time, "https://e.example/").publishedDate()).isEqualTo("2023-07-01");
        assertThat(extractor.fromHtml("<p>No date here.</p>", "https://e.example/").publishedDate()).isEmpty();
    }

    @Test
    void extractsAChineseArticleWithoutItsNavigation() {
        ExtractedPage page = extractor.fromHtml(Pages.chineseArticle("<meta charset=utf-8>"), "https://news.example.cn/a");
        assertThat(page.title()).isEqualTo("新闻：促进消费政策");
        assertThat(page.text()).startsWith("促进消费政策").contains(Pages.CHINESE_BODY).doesNotContain("首页", "版权所有");
    }

    @Test
    void laysOutParagraphsListsAndTablesOnTheirOwnLines() {
        String html = "<body><h2>Steps</h2><ol><li>Open  the\n lid</li><li>Pour</li></ol><table><tr><th>Size</th><th>Price</th></tr>"
                + "<tr><td>S</td><td>1</td></tr></table><p>Line one<br>line two</p><pre>  code\n    indented</pre></body>";
        assertThat(TextRenderer.render(org.jsoup.Jsoup.parse(html).body()))
                .isEqualTo("Steps\n\n- Open the lid\n- Pour\n\nSize | Price\nS | 1\n\nLine one\nline two\n\ncode\nindented");
    }

    @ParameterizedTest(name = "{0} hides: {1}")
    @CsvSource(delimiter = '|', value = {
            "display: none | true",
            "DISPLAY:NONE !important | true",
            "visibility:hidden | true",
            "opacity:0 | true",
            "opacity: 0.0 | true",
            "opacity:0.5 | false",
            "font-size:0 | true",
            "font-size:0px | true",
            "font-size:0.9em | false",
            "position:absolute;left:-9999px | true",
            "left:-10px | false",
            "height:0;overflow:hidden | true",
            "height:0px | false",
            "clip:rect(0 0 0 0);position:absolute | true",
            "color:red;display:block | false",
    })
    void inlineStylesThatHideContent(String style, boolean hides) {
        assertThat(HiddenContent.hidesByStyle(style)).isEqualTo(hides);
    }

    @Test
    void aHostileStyleSheetCannotHideTheWholePage() {
        String html = "<html><head><style>body, html { display: none } .x{display:none}</style></head><body>"
                + "<p>Still here, as the page's readers see it without that rule being honoured for the body.</p><p class=x>gone</p></body></html>";
        assertThat(extractor.fromHtml(html, "https://e.example/").text()).contains("Still here").doesNotContain("gone");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "header GBK | text/html; charset=GBK | | GB18030",
            "header gb2312 | text/html; charset=\"gb2312\" | | GB18030",
            "meta charset | text/html | <meta charset='gbk'> | GB18030",
            "meta http-equiv | text/html | <meta http-equiv=Content-Type content='text/html; charset=GB2312'> | GB18030",
            "header wins over meta | text/html; charset=utf-8 | <meta charset=gbk> | UTF-8",
            "latin1 label | text/html; charset=iso-8859-1 | | windows-1252",
            "big5 | text/html; charset=big5 | | Big5-HKSCS",
            "unknown label falls back to UTF-8 | text/html; charset=x-nonsense | | UTF-8",
    })
    void choosesTheCharsetLikeABrowser(String name, String contentType, String meta, String expected) {
        byte[] body = ("<html><head>" + (meta == null ? "" : meta) + "</head><body>plain ascii</body></html>").getBytes(StandardCharsets.US_ASCII);
        assertThat(CharsetDetector.detect(body, body.length, PageType.charsetParameter(contentType)).name()).isEqualTo(expected);
    }

    @Test
    void undeclaredBytesAreUtf8WhenTheyAreValidUtf8EvenIfCutMidCharacter() {
        byte[] utf8 = "<p>中文内容</p>".getBytes(StandardCharsets.UTF_8);
        assertThat(CharsetDetector.detect(utf8, utf8.length - 5, null)).isEqualTo(StandardCharsets.UTF_8);
        byte[] latin = "<p>café</p>".getBytes(Charset.forName("windows-1252"));
        assertThat(CharsetDetector.detect(latin, latin.length, null).name()).isEqualTo("windows-1252");
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '<', 'p', '>'};
        assertThat(CharsetDetector.detect(bom, bom.length, "gbk")).isEqualTo(StandardCharsets.UTF_8);
        assertThat(CharsetDetector.bomLength(bom, bom.length)).isEqualTo(3);
    }
}
