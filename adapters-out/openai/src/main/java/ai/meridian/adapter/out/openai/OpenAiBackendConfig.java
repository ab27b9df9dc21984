package ai.meridian.adapter.out.openai;

import ai.meridian.support.nettyhttp.UpstreamEndpoint;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.routing.ModelCapabilities;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The settings of one OpenAI-compatible backend, read and checked from its configuration. */
record OpenAiBackendConfig(
        String id,
        UpstreamEndpoint endpoint,
        String apiKey,
        Map<String, String> headers,
        Set<String> forwardHeaders,
        Duration connectTimeout,
        Duration firstTokenTimeout,
        Duration totalTimeout,
        Duration idleTimeout,
        int maxConnections,
        int maxResponseBytes,
        boolean streamUsage,
        String maxTokensField,
        boolean probeModels,
        ParameterRules parameters,
        String baseUrl,
        Map<String, ModelCapabilities> declaredModels,
        boolean modelDiscovery,
        Duration modelDiscoveryRetry,
        Duration readTimeout,
        boolean textCompletions) {

    OpenAiBackendConfig {
        declaredModels = Map.copyOf(declaredModels);
    }

    static OpenAiBackendConfig from(BackendSettings s) {
        String field = s.string("max-tokens-field", "as-sent");
        if (!field.equals("max_tokens") && !field.equals("max_completion_tokens") && !field.equals("as-sent")) {
            throw new IllegalArgumentException("meridian.backends." + s.id()
                    + ".max-tokens-field must be as-sent, max_tokens or max_completion_tokens");
        }
        String healthCheck = s.string("health-check", "none");
        if (!healthCheck.equals("none") && !healthCheck.equals("models")) {
            throw new IllegalArgumentException("meridian.backends." + s.id() + ".health-check must be none or models");
        }
        UpstreamEndpoint endpoint;
        try {
            endpoint = UpstreamEndpoint.of(s.required("base-url"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("meridian.backends." + s.id() + ": " + e.getMessage(), e);
        }
        OpenAiBackendConfig config = new OpenAiBackendConfig(s.id(), endpoint, s.string("api-key", null), s.under("headers"), forwardHeaders(s),
                s.duration("connect-timeout", Duration.ofSeconds(5)),
                s.duration("first-token-timeout", Duration.ofSeconds(60)),
                s.duration("total-timeout", Duration.ofMinutes(10)),
                s.duration("idle-timeout", Duration.ofSeconds(20)),
                s.integer("max-connections", 512),
                s.integer("max-response-bytes", 32 * 1024 * 1024),
                s.flag("stream-usage", true),
                field.equals("as-sent") ? null : field,
                healthCheck.equals("models"),
                ParameterRules.from(s),
                s.required("base-url").trim().replaceAll("/+$", ""),
                ModelDeclarations.from(s),
                s.flag("model-discovery", true),
                s.duration("model-discovery-retry", Duration.ofSeconds(10)),
                s.duration("read-timeout", Duration.ofSeconds(30)),
                s.flag("text-completions", true));
        if (config.firstTokenTimeout.compareTo(config.totalTimeout) > 0) {
            throw new IllegalArgumentException("meridian.backends." + s.id() + ".first-token-timeout must not exceed total-timeout");
        }
        if (config.readTimeout.isZero() || config.readTimeout.isNegative()) {
            throw new IllegalArgumentException("meridian.backends." + s.id() + ".read-timeout must be positive");
        }
        if (config.modelDiscoveryRetry.isNegative() || config.modelDiscoveryRetry.isZero()) {
            throw new IllegalArgumentException("meridian.backends." + s.id() + ".model-discovery-retry must be a positive duration");
        }
        if (config.maxConnections < 1 || config.maxResponseBytes < 1024) {
            throw new IllegalArgumentException("meridian.backends." + s.id() + ": max-connections >= 1, max-response-bytes >= 1024");
        }
        return config;
    }

    /** {@code forward-headers}: the client headers this backend is sent, lower-case, checked. */
    static Set<String> forwardHeaders(BackendSettings s) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : s.list("forward-headers")) {
            try {
                names.add(ForwardedHeaders.check(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("meridian.backends." + s.id() + ".forward-headers: " + e.getMessage(), e);
            }
        }
        return Set.copyOf(names);
    }
}
