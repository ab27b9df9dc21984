package ai.meridian.adapter.out.webfetch;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * A page's publication date as the page states it: Open Graph / article meta tags, schema.org
 * {@code datePublished} (microdata or JSON-LD), Dublin Core, the tags Chinese news sites use
 * ({@code publishdate}, {@code PubDate}), and finally a {@code <time datetime>} in the article. Read before
 * scripts are stripped (JSON-LD lives in a script). The value is returned as written, trimmed.
 */
final class PublishedDate {
    private static final List<String> META_SELECTORS = List.of(
            "meta[property=article:published_time]", "meta[name=article:published_time]", "meta[property=og:published_time]",
            "meta[itemprop=datePublished]", "meta[name=datePublished]", "meta[name=publishdate]", "meta[name=pubdate]",
            "meta[name=publish-date]", "meta[name=publication_date]", "meta[name=parsely-pub-date]", "meta[name=sailthru.date]",
            "meta[name=dc.date.issued]", "meta[name=dcterms.issued]", "meta[name=dc.date]", "meta[name=dcterms.created]",
            "meta[name=date]");
    private static final Pattern JSON_LD = Pattern.compile("\"datePublished\"\\s*:\\s*\"([^\"]{4,64})\"");
    private static final int MAX_LENGTH = 64;

    private PublishedDate() {
    }

    static String find(Document doc) {
        for (String selector : META_SELECTORS) {
            for (Element meta : doc.select(selector)) {
                String value = clean(meta.attr("content"));
                if (value != null) {
                    return value;
                }
            }
        }
        for (Element script : doc.select("script[type=application/ld+json]")) {
            Matcher m = JSON_LD.matcher(script.data());
            if (m.find() && clean(m.group(1)) != null) {
                return clean(m.group(1));
            }
        }
        for (String selector : List.of("[itemprop=datePublished][datetime]", "time[pubdate][datetime]", "article time[datetime]",
                "[itemprop=datePublished]")) {
            Element found = doc.selectFirst(selector);
            if (found != null) {
                String value = clean(found.hasAttr("datetime") ? found.attr("datetime") : found.text());
                if (value != null) {
                    return value;
                }
            }
        }
        return "";
    }

    private static String clean(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (v.isEmpty() || v.length() > MAX_LENGTH || v.chars().noneMatch(Character::isDigit)) {
            return null;
        }
        return v;
    }
}
