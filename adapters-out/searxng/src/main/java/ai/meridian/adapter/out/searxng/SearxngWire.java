package ai.meridian.adapter.out.searxng;

import ai.meridian.application.port.out.retrieval.TimeRange;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** SearXNG's JSON search API: the query string, and the {@code results} of an answer. */
final class SearxngWire {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private SearxngWire() {
    }

    /** The results, and the engines SearXNG reports as having failed (name and reason). */
    record Page(List<WebResult> results, List<String> unresponsiveEngines) {
    }

    static URI searchUri(WebSearchQuery query, SearxngSettings settings) {
        StringBuilder uri = new StringBuilder(settings.baseUrl()).append("/search?q=").append(encode(query.text())).append("&format=json&pageno=1");
        String range = timeRange(query.timeRange());
        if (range != null) {
            uri.append("&time_range=").append(range);
        }
        if (!settings.language().isEmpty()) {
            uri.append("&language=").append(encode(settings.language()));
        }
        if (!settings.categories().isEmpty()) {
            uri.append("&categories=").append(encode(settings.categories()));
        }
        if (settings.safeSearch() >= 0) {
            uri.append("&safesearch=").append(settings.safeSearch());
        }
        return URI.create(uri.toString());
    }

    /** SearXNG's {@code time_range}; null for no limit (the parameter is left out). */
    static String timeRange(TimeRange range) {
        switch (range) {
            case ONE_DAY: return "day";
            case ONE_WEEK: return "week";
            case ONE_MONTH: return "month";
            case ONE_YEAR: return "year";
            default: return null;
        }
    }

    /**
     * At most {@code max} results in SearXNG's order, skipping entries without an http(s) url.
     *
     * @throws IOException when the body is not JSON or has no {@code results}
     */
    static Page page(byte[] body, int max) throws IOException {
        List<WebResult> results = new ArrayList<>();
        List<String> unresponsive = new ArrayList<>();
        boolean sawResults = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("the answer is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("results") && value == JsonToken.START_ARRAY) {
                    sawResults = true;
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        WebResult result = result(p);
                        if (result != null && results.size() < max) {
                            results.add(result);
                        }
                    }
                } else if (field.equals("unresponsive_engines") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_ARRAY) {
                        List<String> parts = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            if (p.currentToken().isScalarValue()) {
                                parts.add(p.getText());
                            } else {
                                p.skipChildren();
                            }
                        }
                        unresponsive.add(String.join(": ", parts));
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        if (!sawResults) {
            throw new IOException("the answer has no results");
        }
        return new Page(results, unresponsive);
    }

    private static WebResult result(JsonParser p) throws IOException {
        String url = null;
        String title = null;
        String content = null;
        String published = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING) {
                switch (field) {
                    case "url": url = p.getText(); break;
                    case "title": title = p.getText(); break;
                    case "content": content = p.getText(); break;
                    case "publishedDate": published = p.getText(); break;
                    default: break;
                }
            } else {
                p.skipChildren();
            }
        }
        if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
            return null;
        }
        String link = url.strip();
        return new WebResult(strip(title), link, strip(content), strip(published), "", hostname(link));
    }

    private static String hostname(String url) {
        try {
            String host = URI.create(url).getHost();
            return host == null ? "" : host;
        } catch (IllegalArgumentException notAUri) {
            return "";
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }
}
