package ai.meridian.adapter.out.anthropic;

import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.support.nettyhttp.UpstreamEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of one Messages-API backend ({@code type: anthropic}), read and checked from its configuration.
 * {@code baseUrl} is what Anthropic's SDKs call the base URL: requests go to {@code <base-url>/v1/messages}
 * ({@code https://api.anthropic.com}, {@code https://api.deepseek.com/anthropic}).
 */
record AnthropicBackendConfig(
        String id,
        UpstreamEndpoint endpoint,
        String baseUrl,
        String apiKey,
        boolean bearerAuth,
        String anthropicVersion,
        List<String> betas,
        Map<String, String> headers,
        Set<String> forwardHeaders,
        Duration connectTimeout,
        Duration firstTokenTimeout,
        Duration totalTimeout,
        Duration idleTimeout,
        int maxConnections,
        int maxResponseBytes,
        int defaultMaxTokens,
        boolean probeModels,
        Set<String> allowedParameters,
        Set<String> deniedParameters,
        Duration readTimeout) {

    AnthropicBackendConfig {
        betas = List.copyOf(betas);
        headers = Map.copyOf(headers);
        forwardHeaders = Set.copyOf(forwardHeaders);
        allowedParameters = Set.copyOf(allowedParameters);
        deniedParameters = Set.copyOf(deniedParameters);
    }

    static AnthropicBackendConfig from(BackendSettings s) {
        String where = "meridian.backends." + s.id();
        UpstreamEndpoint endpoint;
        try {
            endpoint = UpstreamEndpoint.of(s.required("base-url"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        String auth = s.string("auth", "x-api-key");
        if (!auth.equals("x-api-key") && !auth.equals("bearer")) {
            throw new IllegalArgumentException(where + ".auth must be x-api-key or bearer");
        }
        String healthCheck = s.string("health-check", "none");
        if (!healthCheck.equals("none") && !healthCheck.equals("models")) {
            throw new IllegalArgumentException(where + ".health-check must be none or models");
        }
        AnthropicBackendConfig config = new AnthropicBackendConfig(s.id(), endpoint, s.required("base-url").trim().replaceAll("/+$", ""),
                s.string("api-key", null), auth.equals("bearer"),
                s.string("anthropic-version", "2023-06-01"),
                s.list("anthropic-beta"),
                s.under("headers"),
                forwardHeaders(s),
                s.duration("connect-timeout", Duration.ofSeconds(5)),
                s.duration("first-token-timeout", Duration.ofSeconds(60)),
                s.duration("total-timeout", Duration.ofMinutes(10)),
                s.duration("idle-timeout", Duration.ofSeconds(20)),
                s.integer("max-connections", 512),
                s.integer("max-response-bytes", 32 * 1024 * 1024),
                s.integer("default-max-tokens", 4096),
                healthCheck.equals("models"),
                Set.copyOf(s.list("parameters.allow")),
                Set.copyOf(s.list("parameters.deny")),
                s.duration("read-timeout", Duration.ofSeconds(30)));
        if (config.firstTokenTimeout.compareTo(config.totalTimeout) > 0) {
            throw new IllegalArgumentException(where + ".first-token-timeout must not exceed total-timeout");
        }
        if (config.readTimeout.isZero() || config.readTimeout.isNegative()) {
            throw new IllegalArgumentException(where + ".read-timeout must be positive");
        }
        if (config.maxConnections < 1 || config.maxResponseBytes < 1024) {
            throw new IllegalArgumentException(where + ": max-connections >= 1, max-response-bytes >= 1024");
        }
        if (config.defaultMaxTokens < 1) {
            throw new IllegalArgumentException(where + ".default-max-tokens must be at least 1");
        }
        if (config.anthropicVersion.isBlank()) {
            throw new IllegalArgumentException(where + ".anthropic-version must not be empty");
        }
        return config;
    }

    /**
     * True for API versions that removed the sampling parameters (2026-10-21 and later: {@code temperature},
     * {@code top_p} and {@code top_k} are refused by Anthropic), so this backend refuses requests that carry them.
     */
    boolean samplingRemoved() {
        return anthropicVersion.compareTo("2026-10-21") >= 0;
    }

    /** {@code forward-headers}: the client headers this backend is sent (Claude Code's {@code anthropic-beta}, say), checked. */
    private static Set<String> forwardHeaders(BackendSettings s) {
        Set<String> names = new java.util.TreeSet<>();
        for (String name : s.list("forward-headers")) {
            try {
                names.add(ForwardedHeaders.check(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("meridian.backends." + s.id() + ".forward-headers: " + e.getMessage(), e);
            }
        }
        return names;
    }
}
