package ai.meridian.adapter.out.quark;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How to reach Alibaba Cloud IQS unified search: the endpoint ({@code POST {endpoint}/search/unified}), the
 * API key and the header it goes in, the engine, which page contents to ask for, the connect timeout and
 * the largest answer accepted. The per-query timeout comes with each query.
 */
public record QuarkSettings(
        String endpoint,
        String apiKey,
        AuthHeader authHeader,
        EngineType engineType,
        boolean mainText,
        boolean markdownText,
        boolean summary,
        boolean rerankScore,
        Duration connectTimeout,
        int maxResponseBytes) {

    public static final String DEFAULT_ENDPOINT = "https://cloud-iqs.aliyuncs.com";

    /** Where the API key goes. */
    public enum AuthHeader {
        /** {@code Authorization: Bearer <key>} */
        BEARER,
        /** {@code X-API-Key: <key>} */
        X_API_KEY;

        /** From configuration: {@code bearer} or {@code x-api-key}. */
        public static AuthHeader fromConfig(String value) {
            String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("bearer")) {
                return BEARER;
            }
            if (v.equals("x-api-key")) {
                return X_API_KEY;
            }
            throw new IllegalArgumentException("quark auth-header must be bearer or x-api-key, not " + value);
        }
    }

    /** IQS engines, by their wire names. */
    public enum EngineType {
        GENERIC("Generic"), GENERIC_ADVANCED("GenericAdvanced"), LITE_ADVANCED("LiteAdvanced");

        private final String wireName;

        EngineType(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** From configuration, by wire name: {@code Generic}, {@code GenericAdvanced} or {@code LiteAdvanced}. */
        public static EngineType fromConfig(String value) {
            for (EngineType type : values()) {
                if (type.wireName.equalsIgnoreCase(value == null ? "" : value.trim())) {
                    return type;
                }
            }
            throw new IllegalArgumentException("quark engine-type must be Generic, GenericAdvanced or LiteAdvanced, not " + value);
        }
    }

    public QuarkSettings {
        if (endpoint == null || endpoint.isBlank()) {
            throw new IllegalArgumentException("quark endpoint is required");
        }
        endpoint = endpoint.strip();
        while (endpoint.endsWith("/")) {
            endpoint = endpoint.substring(0, endpoint.length() - 1);
        }
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quark endpoint is not a URL: " + endpoint);
        }
        if (uri.getHost() == null || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new IllegalArgumentException("quark endpoint must be an http(s) URL with a host: " + endpoint);
        }
        if (apiKey == null || apiKey.isBlank() || apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("quark api-key is required (printable ASCII)");
        }
        if (authHeader == null || engineType == null) {
            throw new IllegalArgumentException("quark auth-header and engine-type are required");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("quark connect-timeout must be positive");
        }
        if (maxResponseBytes < 64 * 1024) {
            throw new IllegalArgumentException("quark max-response-bytes must be at least 64 KiB");
        }
    }

    /**
     * The defaults documented in {@code docs/web-retrieval.md}: the public endpoint, bearer auth, the
     * {@code Generic} engine, and main text on (so that results rarely need a page fetch).
     */
    public static QuarkSettings defaults(String apiKey) {
        return new QuarkSettings(DEFAULT_ENDPOINT, apiKey, AuthHeader.BEARER, EngineType.GENERIC, true, false, false, false,
                Duration.ofSeconds(3), 8 * 1024 * 1024);
    }

    public QuarkSettings withEndpoint(String newEndpoint) {
        return new QuarkSettings(newEndpoint, apiKey, authHeader, engineType, mainText, markdownText, summary, rerankScore,
                connectTimeout, maxResponseBytes);
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "QuarkSettings[endpoint=" + endpoint + ", authHeader=" + authHeader + ", engineType=" + engineType + ", mainText=" + mainText
                + ", markdownText=" + markdownText + ", summary=" + summary + ", rerankScore=" + rerankScore + "]";
    }
}
