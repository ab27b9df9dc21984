package ai.meridian.adapter.out.webfetch;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How pages are fetched: body size cap (decompressed bytes), total time per page including redirects, the
 * longest silence between two reads, connect time, redirect hops, extracted text cap, the hosts and networks
 * an intranet deployment opens up (host names, {@code *.suffix} patterns, IP addresses or CIDR blocks; empty:
 * public addresses only), the User-Agent, and the threads that parse pages.
 */
public record WebFetchSettings(
        int maxBytes,
        Duration timeout,
        Duration readTimeout,
        Duration connectTimeout,
        int maxRedirects,
        int maxTextChars,
        List<String> allowPrivateHosts,
        String userAgent,
        int extractionThreads) {

    public static final int DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
    public static final String DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; Meridian/0.1; +grounding)";

    public WebFetchSettings {
        if (maxBytes < 1024 || maxBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException("web-fetch max-bytes must be between 1 KiB and 64 MiB");
        }
        positive(timeout, "timeout");
        positive(readTimeout, "read-timeout");
        positive(connectTimeout, "connect-timeout");
        if (maxRedirects < 0 || maxRedirects > 20) {
            throw new IllegalArgumentException("web-fetch max-redirects must be between 0 and 20");
        }
        if (maxTextChars < 100) {
            throw new IllegalArgumentException("web-fetch max-text-chars must be at least 100");
        }
        allowPrivateHosts = List.copyOf(Objects.requireNonNull(allowPrivateHosts, "allowPrivateHosts"));
        // Parsed here so that a bad entry fails at start-up, not on the first fetch.
        AllowList.parse(allowPrivateHosts);
        if (userAgent == null || userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            throw new IllegalArgumentException("web-fetch user-agent must be printable ASCII");
        }
        if (extractionThreads < 1 || extractionThreads > 64) {
            throw new IllegalArgumentException("web-fetch extraction-threads must be between 1 and 64");
        }
    }

    /** The defaults documented in {@code docs/web-retrieval.md}: strict, 2 MiB, 10 s, 5 redirects. */
    public static WebFetchSettings defaults() {
        return new WebFetchSettings(DEFAULT_MAX_BYTES, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(3), 5,
                100_000, List.of(), DEFAULT_USER_AGENT, 2);
    }

    public WebFetchSettings withAllowPrivateHosts(List<String> hosts) {
        return new WebFetchSettings(maxBytes, timeout, readTimeout, connectTimeout, maxRedirects, maxTextChars, hosts, userAgent,
                extractionThreads);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("web-fetch " + name + " must be positive");
        }
    }
}
