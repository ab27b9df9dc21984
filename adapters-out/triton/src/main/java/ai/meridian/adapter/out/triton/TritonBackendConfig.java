package ai.meridian.adapter.out.triton;

import ai.meridian.application.port.out.BackendSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import ai.meridian.application.port.out.SettingsMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** The settings of one {@code type: triton} backend, read from its configuration and checked. */
record TritonBackendConfig(
        String id,
        List<TritonEndpoint> endpoints,
        String model,
        String modelVersion,
        Convention convention,
        ChatTemplate chatTemplate,
        boolean prependBos,
        StreamedText.Mode streamText,
        CompleteRpc completeRpc,
        int defaultMaxTokens,
        Integer topK,
        Duration connectTimeout,
        Duration firstTokenTimeout,
        Duration totalTimeout,
        Duration readTimeout,
        Duration keepAliveTime,
        Duration keepAliveTimeout,
        int maxMessageSize,
        Duration endpointCooldown,
        boolean tls,
        Optional<Path> tlsTrustCert,
        Optional<String> tlsAuthority,
        ModelOptions defaults,
        Map<String, ModelOptions> models) {

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofSeconds(60);
    static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_KEEP_ALIVE_TIMEOUT = Duration.ofSeconds(20);
    static final Duration DEFAULT_ENDPOINT_COOLDOWN = Duration.ofSeconds(5);
    static final int DEFAULT_MAX_TOKENS = 1024;
    static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

    TritonBackendConfig {
        Objects.requireNonNull(id, "id");
        String key = "meridian.backends." + id + ".";
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException(key + "endpoints needs at least one host:port");
        }
        if (endpoints.size() != endpoints.stream().distinct().count()) {
            throw new IllegalArgumentException(key + "endpoints lists an endpoint twice: " + endpoints);
        }
        Objects.requireNonNull(model, key + "model");
        modelVersion = modelVersion == null ? "" : modelVersion;
        Objects.requireNonNull(convention, key + "convention");
        Objects.requireNonNull(chatTemplate, key + "chat-template");
        Objects.requireNonNull(streamText, key + "stream-text");
        Objects.requireNonNull(completeRpc, key + "complete-rpc");
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException(key + "default-max-tokens must be at least 1");
        }
        if (topK != null && topK < 1) {
            throw new IllegalArgumentException(key + "top-k must be at least 1");
        }
        positive(key + "connect-timeout", connectTimeout);
        positive(key + "first-token-timeout", firstTokenTimeout);
        positive(key + "total-timeout", totalTimeout);
        positive(key + "read-timeout", readTimeout);
        positive(key + "keep-alive-timeout", keepAliveTimeout);
        if (keepAliveTime.isNegative()) {
            throw new IllegalArgumentException(key + "keep-alive-time must be 0 (off) or positive");
        }
        if (firstTokenTimeout.compareTo(totalTimeout) > 0) {
            throw new IllegalArgumentException(key + "first-token-timeout must not exceed total-timeout");
        }
        if (maxMessageSize < 64 * 1024) {
            throw new IllegalArgumentException(key + "max-message-size must be at least 65536 bytes");
        }
        if (endpointCooldown.isNegative()) {
            throw new IllegalArgumentException(key + "endpoint-cooldown must not be negative");
        }
        tlsTrustCert = tlsTrustCert == null ? Optional.empty() : tlsTrustCert;
        tlsAuthority = tlsAuthority == null ? Optional.empty() : tlsAuthority;
        if (!tls && (tlsTrustCert.isPresent() || tlsAuthority.isPresent())) {
            throw new IllegalArgumentException(key + "tls-trust-cert and tls-authority need tls: true");
        }
        tlsTrustCert.ifPresent(path -> {
            if (!Files.isReadable(path)) {
                throw new IllegalArgumentException(key + "tls-trust-cert: cannot read " + path.toAbsolutePath());
            }
        });
        Objects.requireNonNull(defaults, key + "defaults");
        if (defaults.chatTemplate() != chatTemplate) {
            throw new IllegalArgumentException(key + "chat-template differs from the model defaults");
        }
        defaults.check("meridian.backends." + id, convention);
        models = Map.copyOf(models == null ? Map.of() : models);
    }

    /** What is configured for the Triton model {@code model}: its {@code models} entry, else the backend's defaults. */
    ModelOptions options(String model) {
        ModelOptions own = models.get(model);
        return own == null ? defaults : own;
    }

    static TritonBackendConfig from(BackendSettings s) {
        String key = "meridian.backends." + s.id() + ".";
        List<TritonEndpoint> endpoints = new ArrayList<>();
        for (String value : s.list("endpoints")) {
            try {
                endpoints.add(TritonEndpoint.parse(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + "endpoints: " + e.getMessage(), e);
            }
        }
        Integer topK = s.string("top-k").isPresent() ? s.integer("top-k", 0) : null;
        Convention convention = choice(s, "convention", null, Convention::named, "trtllm, vllm");
        ChatTemplate template = choice(s, "chat-template", null, ChatTemplate::named, TEMPLATES);
        ModelOptions defaults = new ModelOptions(template,
                choice(s, "tool-calling", "none", ToolCalling::named, TOOL_CALLING),
                choice(s, "structured-output", "none", StructuredOutput::named, STRUCTURED_OUTPUT),
                nonNegative(key + "context-window", s.integer("context-window", 0)),
                nonNegative(key + "max-output-tokens", s.integer("max-output-tokens", 0)));
        return new TritonBackendConfig(s.id(), endpoints,
                s.required("model"),
                s.string("model-version", ""),
                convention,
                template,
                s.flag("prepend-bos", false),
                choice(s, "stream-text", "delta", v -> StreamedText.Mode.valueOf(v.toUpperCase(Locale.ROOT)), "delta, cumulative"),
                choice(s, "complete-rpc", "stream", v -> CompleteRpc.valueOf(v.toUpperCase(Locale.ROOT)), "stream, unary"),
                s.integer("default-max-tokens", DEFAULT_MAX_TOKENS),
                topK,
                s.duration("connect-timeout", DEFAULT_CONNECT_TIMEOUT),
                s.duration("first-token-timeout", DEFAULT_FIRST_TOKEN_TIMEOUT),
                s.duration("total-timeout", DEFAULT_TOTAL_TIMEOUT),
                s.duration("read-timeout", DEFAULT_READ_TIMEOUT),
                s.duration("keep-alive-time", Duration.ZERO),
                s.duration("keep-alive-timeout", DEFAULT_KEEP_ALIVE_TIMEOUT),
                s.integer("max-message-size", DEFAULT_MAX_MESSAGE_SIZE),
                s.duration("endpoint-cooldown", DEFAULT_ENDPOINT_COOLDOWN),
                s.flag("tls", false),
                s.string("tls-trust-cert").map(Path::of),
                s.string("tls-authority"),
                defaults,
                models(s, convention, defaults));
    }

    private static final String TEMPLATES = "chatml, deepseek, llama3, raw";
    private static final String TOOL_CALLING = "hermes, none";
    private static final String STRUCTURED_OUTPUT = "guided-decoding, none";
    private static final java.util.Set<String> MODEL_KEYS =
            java.util.Set.of("name", "chat-template", "tool-calling", "structured-output", "context-window", "max-output-tokens");

    /** {@code models}: per Triton model, what differs from the backend's defaults. */
    private static Map<String, ModelOptions> models(BackendSettings s, Convention convention, ModelOptions defaults) {
        Map<String, ModelOptions> models = new LinkedHashMap<>();
        for (SettingsMap entry : s.entries("models")) {
            for (String k : entry.properties().keySet()) {
                if (!MODEL_KEYS.contains(k)) {
                    throw new IllegalArgumentException(entry.key(k) + " is not a key of a Triton model entry; known: " + new java.util.TreeSet<>(MODEL_KEYS));
                }
            }
            String name = entry.required("name");
            ModelOptions options = new ModelOptions(
                    entryChoice(entry, "chat-template", defaults.chatTemplate(), ChatTemplate::named, TEMPLATES),
                    entryChoice(entry, "tool-calling", defaults.toolCalling(), ToolCalling::named, TOOL_CALLING),
                    entryChoice(entry, "structured-output", defaults.structuredOutput(), StructuredOutput::named, STRUCTURED_OUTPUT),
                    nonNegative(entry.key("context-window"), entry.integer("context-window", defaults.contextWindow())),
                    nonNegative(entry.key("max-output-tokens"), entry.integer("max-output-tokens", defaults.maxOutputTokens())));
            options.check(entry.path(), convention);
            if (models.put(name, options) != null) {
                throw new IllegalArgumentException(entry.key("name") + " '" + name + "' is listed twice");
            }
        }
        return models;
    }

    private static <T> T entryChoice(SettingsMap entry, String key, T fallback, Function<String, T> parse, String allowed) {
        Optional<String> value = entry.string(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return parse.apply(value.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(entry.key(key) + " must be one of " + allowed + ", not '" + value.get() + "'");
        }
    }

    private static int nonNegative(String key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(key + " must not be negative");
        }
        return value;
    }

    /** Deadline of the small control calls (readiness, metadata), which include connecting. */
    Duration controlTimeout() {
        return connectTimeout.multipliedBy(2);
    }

    private static <T> T choice(BackendSettings s, String key, String fallback, Function<String, T> parse, String allowed) {
        String path = "meridian.backends." + s.id() + "." + key;
        String value = fallback == null ? s.required(key) : s.string(key, fallback);
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + " must be one of " + allowed + ", not '" + value + "'");
        }
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be a positive duration");
        }
    }
}
