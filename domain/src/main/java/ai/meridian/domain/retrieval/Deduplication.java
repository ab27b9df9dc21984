package ai.meridian.domain.retrieval;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Removes repeats from a ranked list, keeping the better-ranked copy: web pages with the same URL (after
 * normalising scheme and host case, default ports, fragments and a trailing slash), and any two passages
 * whose text is a near duplicate (word 3-gram Jaccard at or above the threshold, or one contained in the
 * other). Knowledge-base chunks of one document share its URL but are different passages, so the URL rule
 * applies to web pages only.
 */
public final class Deduplication {
    /** Syndicated copies of an article typically share well over 80% of their 3-grams; paraphrases far fewer. */
    public static final double DEFAULT_THRESHOLD = 0.8;

    private final double threshold;

    public Deduplication(double threshold) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("the near-duplicate threshold must be in (0, 1]");
        }
        this.threshold = threshold;
    }

    public Deduplication() {
        this(DEFAULT_THRESHOLD);
    }

    public List<Passage> apply(List<Passage> ranked) {
        List<Passage> kept = new ArrayList<>();
        List<Shingles> keptShingles = new ArrayList<>();
        Set<String> urls = new HashSet<>();
        for (Passage passage : ranked) {
            if (passage.kind() == PassageKind.WEB && !passage.url().isEmpty() && !urls.add(normalizeUrl(passage.url()))) {
                continue;
            }
            Shingles shingles = Shingles.of(passage.text());
            if (isNearDuplicate(shingles, keptShingles)) {
                continue;
            }
            kept.add(passage);
            keptShingles.add(shingles);
        }
        return kept;
    }

    private boolean isNearDuplicate(Shingles candidate, List<Shingles> kept) {
        for (Shingles other : kept) {
            // Containment needs a few shingles on the small side, or any short text would "contain" another.
            if (candidate.jaccard(other) >= threshold
                    || (Math.min(candidate.size(), other.size()) >= 8 && candidate.containment(other) >= threshold)) {
                return true;
            }
        }
        return false;
    }

    /** The URL as a comparison key; an unparseable URL is compared as written. */
    public static String normalizeUrl(String url) {
        String trimmed = url.strip();
        try {
            URI uri = new URI(trimmed);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return trimmed;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
                port = -1;
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (port == -1 ? "" : ":" + port) + path + query;
        } catch (java.net.URISyntaxException e) {
            return trimmed;
        }
    }
}
