package ai.meridian.adapter.out.webfetch;

import java.util.regex.Pattern;
import net.dankito.readability4j.Article;
import net.dankito.readability4j.extended.Readability4JExtended;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Reduces a page to its main text. HTML: the publication date and title are read first, hidden content is
 * stripped ({@link HiddenContent}), then Readability (Mozilla's algorithm, ported by readability4j) picks the
 * article; when it finds none or much less than the page shows, the body without navigation, headers,
 * footers, sidebars and forms is used instead. Plain text and Markdown are kept as they are, less HTML
 * comments and invisible characters. The text is cut at {@code maxTextChars}.
 */
final class MainTextExtractor {
    private static final Pattern HTML_COMMENT = Pattern.compile("<!--.*?(-->|$)", Pattern.DOTALL);
    private static final String PAGE_FURNITURE = "nav, header, footer, aside, form, menu, [role=navigation], [role=banner], "
            + "[role=contentinfo], [role=complementary], [role=search], [role=dialog], [role=alert]";
    /** Readability's article must hold at least this share of the page's visible text, or the fallback wins. */
    private static final double MIN_ARTICLE_SHARE = 0.2;
    private static final int SHORT_ARTICLE = 500;

    private final int maxTextChars;

    MainTextExtractor(int maxTextChars) {
        this.maxTextChars = maxTextChars;
    }

    ExtractedPage fromHtml(String html, String url) {
        Document doc = Jsoup.parse(html, url);
        String published = PublishedDate.find(doc);
        String openGraphTitle = openGraphTitle(doc);
        String documentTitle = doc.title().strip();
        HiddenContent.strip(doc);

        Element body = doc.body().clone();
        body.select(PAGE_FURNITURE).remove();
        String fallback = TextRenderer.render(body);

        String article = "";
        String articleTitle = "";
        try {
            Article parsed = new Readability4JExtended(url, doc).parse();
            Element content = parsed.getArticleContent();
            article = content == null ? "" : TextRenderer.render(content);
            articleTitle = parsed.getTitle() == null ? "" : parsed.getTitle().strip();
        } catch (RuntimeException readabilityFailed) {
            // an unusual document tripped the extractor: the fallback text stands in
        }
        boolean useArticle = !article.isBlank()
                && (article.length() >= SHORT_ARTICLE || article.length() >= fallback.length() * MIN_ARTICLE_SHARE);
        String text = useArticle ? article : fallback;
        String title = !openGraphTitle.isEmpty() ? openGraphTitle : !articleTitle.isEmpty() ? articleTitle : documentTitle;
        return new ExtractedPage(clean(title, 500), clean(text, maxTextChars), published);
    }

    ExtractedPage fromText(String text, boolean markdown) {
        String visible = markdown ? HTML_COMMENT.matcher(text).replaceAll("") : text;
        String title = "";
        for (String line : visible.split("\n", 50)) {
            String l = line.strip();
            if (markdown && l.startsWith("# ")) {
                title = l.substring(2);
                break;
            }
            if (!markdown && !l.isEmpty()) {
                title = l.length() <= 200 ? l : "";
                break;
            }
        }
        return new ExtractedPage(clean(title, 500), clean(TextRenderer.tidy(visible.replace("\r\n", "\n").replace('\r', '\n')), maxTextChars), "");
    }

    private static String openGraphTitle(Document doc) {
        Element og = doc.selectFirst("meta[property=og:title]");
        return og != null ? og.attr("content").strip() : "";
    }

    private static String clean(String text, int max) {
        String visible = HiddenContent.visibleText(text).strip();
        if (visible.length() <= max) {
            return visible;
        }
        int cut = max;
        if (Character.isHighSurrogate(visible.charAt(cut - 1))) {
            cut--;
        }
        return visible.substring(0, cut);
    }
}
