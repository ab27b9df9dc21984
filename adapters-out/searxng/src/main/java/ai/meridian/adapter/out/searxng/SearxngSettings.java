package ai.meridian.adapter.out.searxng;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * How to reach a SearXNG instance: its base URL ({@code GET {base}/search}), the language, categories and
 * safe-search level to ask for (empty or -1: the instance's defaults), extra request headers (for an
 * authenticating proxy in front of it), the connect timeout and the largest answer accepted.
 */
public record SearxngSettings(
        String baseUrl,
        String language,
        String categories,
        int safeSearch,
        Map<String, String> headers,
        Duration connectTimeout,
        int maxResponseBytes) {

    public SearxngSettings {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("searxng url is required");
        }
        baseUrl = baseUrl.strip();
        while (baseUrl.endsWith("/")) {
            baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("searxng url is not a URL: " + baseUrl);
        }
        if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("searxng url must be an http(s) URL with a host: " + baseUrl);
        }
        language = language == null ? "" : language.strip();
        categories = categories == null ? "" : categories.strip();
        if (safeSearch < -1 || safeSearch > 2) {
            throw new IllegalArgumentException("searxng safe-search must be 0, 1 or 2 (or -1 for the instance's default)");
        }
        headers = Map.copyOf(headers == null ? Map.of() : headers);
        for (String name : headers.keySet()) {
            if (java.util.Set.of("connection", "content-length", "expect", "host", "upgrade").contains(name.toLowerCase(java.util.Locale.ROOT))
                    || !name.matches("[A-Za-z0-9-]+")) {
                throw new IllegalArgumentException("searxng headers cannot set " + name);
            }
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("searxng connect-timeout must be positive");
        }
        if (maxResponseBytes < 64 * 1024) {
            throw new IllegalArgumentException("searxng max-response-bytes must be at least 64 KiB");
        }
    }

    /** The defaults documented in {@code docs/web-retrieval.md}: the instance's own language and categories. */
    public static SearxngSettings defaults(String baseUrl) {
        return new SearxngSettings(baseUrl, "", "", -1, Map.of(), Duration.ofSeconds(3), 4 * 1024 * 1024);
    }

    /** Header values may hold credentials: only their names are printed. */
    @Override
    public String toString() {
        return "SearxngSettings[baseUrl=" + baseUrl + ", language=" + language + ", categories=" + categories + ", safeSearch=" + safeSearch
                + ", headers=" + headers.keySet() + "]";
    }
}
