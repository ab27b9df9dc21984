package ai.meridian.bootstrap;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.routing.CanarySplit;
import ai.meridian.domain.routing.ComplexityRule;
import ai.meridian.domain.routing.ComplexitySplit;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import io.micronaut.context.env.Environment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads {@code meridian.backends} (a map by backend id) and {@code meridian.models} (a list, so model ids
 * keep their dots and case) into backend settings and domain model definitions, with errors that name
 * the offending key. Adds the built-in DeepSeek backend and models when {@code DEEPSEEK_API_KEY} is set.
 */
final class GatewayConfiguration {
    static final String DEEPSEEK_BACKEND = "deepseek";
    static final String EXTRACTIVE = "extractive";
    /**
     * What DeepSeek serves when its own model list cannot be read at start-up (its list as of late 2026). Kept
     * in step with https://api-docs.deepseek.com/quick_start/pricing.
     */
    static final List<String> DEEPSEEK_FALLBACK_MODELS = List.of("deepseek-v4-flash", "deepseek-v4-pro");
    /** Older names DeepSeek still accepts (non-thinking and thinking mode of its current flash model): offered too. */
    static final List<String> DEEPSEEK_LEGACY_MODELS = List.of("deepseek-chat", "deepseek-reasoner");

    private final List<BackendSettings> backends;
    private final List<ModelDefinition> models;
    private final Map<String, Integer> contextWindowTokens;
    /** The DeepSeek models this configuration added on its own (empty when DeepSeek is not built in). */
    private final List<String> deepSeekDefaults;

    private GatewayConfiguration(List<BackendSettings> backends, List<ModelDefinition> models, Map<String, Integer> contextWindowTokens,
                                 List<String> deepSeekDefaults) {
        this.backends = backends;
        this.models = models;
        this.contextWindowTokens = contextWindowTokens;
        this.deepSeekDefaults = deepSeekDefaults;
    }

    /** True when the DeepSeek backend and models were added from {@code DEEPSEEK_API_KEY}. */
    boolean deepSeekBuiltIn() {
        return !deepSeekDefaults.isEmpty();
    }

    /**
     * The models with the built-in DeepSeek ones replaced by what DeepSeek's own model list names ({@code listed},
     * in its order), followed by the older names it still accepts; models configured under those names stay as
     * configured. An empty or absent list keeps the built-in fallback list.
     */
    List<ModelDefinition> modelsWithDeepSeek(java.util.Optional<List<String>> listed) {
        if (deepSeekDefaults.isEmpty() || listed.isEmpty() || listed.get().isEmpty()) {
            return models;
        }
        List<ModelDefinition> kept = new ArrayList<>();
        for (ModelDefinition model : models) {
            if (!deepSeekDefaults.contains(model.id())) {
                kept.add(model);
            }
        }
        List<String> names = new ArrayList<>(listed.get());
        DEEPSEEK_LEGACY_MODELS.forEach(legacy -> {
            if (!names.contains(legacy)) {
                names.add(legacy);
            }
        });
        kept.addAll(deepSeekModels(names, kept));
        return List.copyOf(kept);
    }

    /** {@code context-window-tokens} of the models that set it, by model id. */
    Map<String, Integer> contextWindowTokens() {
        return contextWindowTokens;
    }

    List<BackendSettings> backends() {
        return backends;
    }

    List<ModelDefinition> models() {
        return models;
    }

    static GatewayConfiguration read(Environment environment, Map<String, String> systemEnv) {
        Map<String, BackendSettings> backends = new LinkedHashMap<>();
        Set<String> ids = backendIds(environment);
        for (String id : ids) {
            if (isEnvironmentVariant(environment, id, ids)) {
                continue;
            }
            backends.put(id, backend(environment, id));
        }
        List<ModelDefinition> models = new ArrayList<>();
        Map<String, Integer> contextWindows = new LinkedHashMap<>();
        List<?> declared = environment.getProperty("meridian.models", List.class).orElse(List.of());
        for (int i = 0; i < declared.size(); i++) {
            String path = "meridian.models[" + i + "]";
            ModelDefinition model = model(declared.get(i), path, models);
            models.add(model);
            Map<String, Object> m = asMap(declared.get(i), path);
            if (m.containsKey("context-window-tokens")) {
                int tokens = integer(m, "context-window-tokens", "model '" + model.id() + "' (" + path + ")", 0);
                if (tokens < 256) {
                    throw new IllegalArgumentException("model '" + model.id() + "' (" + path + ").context-window-tokens must be at least 256, not " + tokens);
                }
                contextWindows.put(model.id(), tokens);
            }
        }
        List<String> deepSeek = addDeepSeekDefaults(systemEnv, backends, models);
        boolean webSearch = !environment.getProperty("meridian.web-search.provider", String.class).orElse("none").equalsIgnoreCase("none");
        addExtractiveDefaults(backends, models, webSearch);
        return new GatewayConfiguration(List.copyOf(backends.values()), List.copyOf(models), Map.copyOf(contextWindows), deepSeek);
    }

    private static Set<String> backendIds(Environment environment) {
        Set<String> ids = new LinkedHashSet<>();
        for (String key : environment.getProperties("meridian.backends").keySet()) {
            int dot = key.indexOf('.');
            ids.add(dot < 0 ? key : key.substring(0, dot));
        }
        return ids;
    }

    /**
     * Micronaut reads {@code MERIDIAN_BACKENDS_LOCAL_API_KEY} under several spellings, among them
     * {@code local-api.key} and {@code local-api-key}, which look like backends {@code local-api} and
     * {@code local-api-key}. Such an id has no {@code type} and extends a real backend's id with a hyphen.
     */
    private static boolean isEnvironmentVariant(Environment environment, String id, Set<String> ids) {
        if (environment.getProperty("meridian.backends." + id + ".type", String.class).isPresent()) {
            return false;
        }
        return ids.stream().anyMatch(other -> !other.equals(id) && id.startsWith(other + "-")
                && environment.getProperty("meridian.backends." + other + ".type", String.class).isPresent());
    }

    /**
     * A backend's effective properties (files, then environment variables over them), flattened. Keys come
     * normalised to lower-case kebab form, so backend ids and keys are case-insensitive.
     */
    private static BackendSettings backend(Environment environment, String id) {
        if (!id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("backend id '" + id + "' must use lower-case letters, digits and hyphens");
        }
        Map<String, String> properties = new TreeMap<>();
        environment.getProperties("meridian.backends." + id).forEach((k, v) -> flatten(k, v, properties));
        Optional<Map> effective = environment.getProperty("meridian.backends." + id, Map.class);
        effective.ifPresent(map -> map.forEach((k, v) -> {
            if (v != null && !(v instanceof Map) && !(v instanceof List)) {
                properties.put(String.valueOf(k), String.valueOf(v));
            }
        }));
        String type = properties.get("type");
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("meridian.backends." + id + ".type is required (openai, or another installed backend type)");
        }
        return new BackendSettings(id, type.trim().toLowerCase(Locale.ROOT), properties);
    }

    /** Any configuration section as flat properties (lists indexed), with errors naming {@code prefix.key}. */
    static ai.meridian.application.port.out.SettingsMap section(Environment environment, String prefix) {
        Map<String, String> properties = new TreeMap<>();
        environment.getProperties(prefix).forEach((k, v) -> flatten(k, v, properties));
        return new ai.meridian.application.port.out.SettingsMap(prefix, properties);
    }

    private static void flatten(String key, Object value, Map<String, String> into) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(key + "[" + i + "]", list.get(i), into);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(key + "." + k, v, into));
        } else if (value != null) {
            into.put(key, String.valueOf(value));
        }
    }

    /**
     * A model entry. With {@code base: <earlier model id>} it starts from that model's tiers and static answer
     * (so {@code deepseek-chat-online} can be {@code deepseek-chat} plus grounding) and overrides what it sets.
     */
    private static ModelDefinition model(Object node, String path, List<ModelDefinition> earlier) {
        Map<String, Object> m = asMap(node, path);
        String id = string(m, "id", path).orElseThrow(() -> new IllegalArgumentException(path + ".id is required"));
        String where = "model '" + id + "' (" + path + ")";
        Optional<String> baseId = string(m, "base", where);
        if (baseId.isPresent()) {
            ModelDefinition base = earlier.stream().filter(e -> e.id().equals(baseId.get())).findFirst().orElseThrow(() ->
                    new IllegalArgumentException(where + ".base '" + baseId.get() + "' must name a model declared before it"));
            FallbackPlan plan = m.containsKey("routes") || m.containsKey("fallbacks") || m.containsKey("static-answer")
                    ? plan(m, where) : base.plan();
            if (m.containsKey("mid-stream-fallback")) {
                plan = new FallbackPlan(plan.tiers(), plan.staticAnswer(), midStreamFallback(m, where));
            }
            return new ModelDefinition(id, strings(m.get("aliases"), where + ".aliases"), plan,
                    string(m, "owned-by", where).orElse(base.ownedBy()), grounding(m.get("grounding"), where, base.grounding()));
        }
        try {
            return new ModelDefinition(id, strings(m.get("aliases"), where + ".aliases"), plan(m, where),
                    string(m, "owned-by", where).orElse(null), grounding(m.get("grounding"), where, GroundingSettings.NONE));
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("model '") ? e : new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static GroundingSettings grounding(Object node, String where, GroundingSettings inherited) {
        if (node == null) {
            return inherited;
        }
        Map<String, Object> g = asMap(node, where + ".grounding");
        try {
            return new GroundingSettings(
                    string(g, "web-search", where + ".grounding").map(Boolean::parseBoolean).orElse(inherited.webSearch()),
                    g.containsKey("knowledge-bases") ? strings(g.get("knowledge-bases"), where + ".grounding.knowledge-bases") : inherited.knowledgeBases(),
                    integer(g, "max-sources", where + ".grounding", inherited.maxSources()),
                    integer(g, "context-tokens", where + ".grounding", inherited.contextTokens()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".grounding: " + e.getMessage(), e);
        }
    }

    private static FallbackPlan plan(Map<String, Object> m, String where) {
        List<Tier> tiers = new ArrayList<>();
        if (m.containsKey("routes")) {
            tiers.add(tier(m, where));
        }
        Object fallbacks = m.get("fallbacks");
        if (fallbacks != null) {
            List<?> list = asList(fallbacks, where + ".fallbacks");
            for (int i = 0; i < list.size(); i++) {
                tiers.add(tier(asMap(list.get(i), where + ".fallbacks[" + i + "]"), where + ".fallbacks[" + i + "]"));
            }
        }
        try {
            return new FallbackPlan(tiers, string(m, "static-answer", where), midStreamFallback(m, where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** {@code mid-stream-fallback}: whether a stream cut after its first token is continued by the plan's next step (default true). */
    private static boolean midStreamFallback(Map<String, Object> m, String where) {
        Optional<String> value = string(m, "mid-stream-fallback", where);
        if (value.isEmpty()) {
            return true;
        }
        switch (value.get().trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(where + ".mid-stream-fallback must be true or false, not '" + value.get() + "'");
        }
    }

    private static Tier tier(Map<String, Object> m, String where) {
        try {
            Routes routes = routes(m.get("routes"), where + ".routes");
            Optional<ComplexitySplit> complexity = Optional.ofNullable(m.get("complexity")).map(c -> complexity(asMap(c, where + ".complexity"), where + ".complexity"));
            Optional<CanarySplit> canary = Optional.ofNullable(m.get("canary")).map(c -> {
                Map<String, Object> cm = asMap(c, where + ".canary");
                return new CanarySplit(integer(cm, "percent", where + ".canary", 0), routes(cm.get("routes"), where + ".canary.routes"));
            });
            RetryPolicy retry = m.containsKey("retry") ? retry(asMap(m.get("retry"), where + ".retry"), where + ".retry") : RetryPolicy.DEFAULT;
            return new Tier(new TierRouting(routes, complexity, canary), retry);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("model '")) {
                throw e;
            }
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static ComplexitySplit complexity(Map<String, Object> m, String where) {
        List<String> markers = m.containsKey("markers") ? strings(m.get("markers"), where + ".markers") : ComplexityRule.DEFAULT_MARKERS;
        ComplexityRule rule = new ComplexityRule(
                integer(m, "max-simple-chars", where, ComplexityRule.DEFAULT.maxSimpleChars()),
                integer(m, "max-simple-turns", where, ComplexityRule.DEFAULT.maxSimpleTurns()),
                markers);
        return new ComplexitySplit(rule, routes(m.get("simple-routes"), where + ".simple-routes"));
    }

    private static RetryPolicy retry(Map<String, Object> m, String where) {
        RetryPolicy d = RetryPolicy.DEFAULT;
        return new RetryPolicy(
                integer(m, "max-attempts", where, d.maxAttempts()),
                duration(m, "initial-backoff", where, d.initialBackoff()),
                duration(m, "max-backoff", where, d.maxBackoff()),
                duration(m, "retry-after-cap", where, d.retryAfterCap()));
    }

    private static Routes routes(Object node, String where) {
        if (node == null) {
            throw new IllegalArgumentException(where + " is required");
        }
        List<?> list = asList(node, where);
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Map<String, Object> r = asMap(list.get(i), where + "[" + i + "]");
            String at = where + "[" + i + "]";
            routes.add(new Route(string(r, "backend", at).orElseThrow(() -> new IllegalArgumentException(at + ".backend is required")),
                    string(r, "model", at).orElseThrow(() -> new IllegalArgumentException(at + ".model is required")),
                    integer(r, "weight", at, 1)));
        }
        return new Routes(routes);
    }

    /**
     * With {@code DEEPSEEK_API_KEY} and no backend named {@code deepseek}: backend {@code deepseek} and, until DeepSeek's
     * own model list is read at start-up, the fallback models and the older names, each under its own name (DeepSeek
     * resolves the older ones itself). What each model can do is declared on the backend (DeepSeek's list names
     * models only). Returns the model ids added.
     */
    private static List<String> addDeepSeekDefaults(Map<String, String> env, Map<String, BackendSettings> backends, List<ModelDefinition> models) {
        String key = env.get("DEEPSEEK_API_KEY");
        if (key == null || key.isBlank() || backends.containsKey(DEEPSEEK_BACKEND)) {
            return List.of();
        }
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("base-url", env.getOrDefault("DEEPSEEK_BASE_URL", "https://api.deepseek.com/v1"));
        properties.put("api-key", key.trim());
        // DeepSeek serves /completions only on its beta base URL (fill-in-the-middle): not here.
        properties.put("text-completions", "false");
        int i = 0;
        for (String model : List.of("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-chat", "deepseek-reasoner")) {
            String at = "models[" + i++ + "].";
            properties.put(at + "name", model);
            // DeepSeek's V4 models (and the older names, which now resolve to V4 Flash): text in, tool calls, JSON mode,
            // thinking; 1M-token context, up to 384K tokens out (api-docs.deepseek.com, models and pricing).
            properties.put(at + "capabilities", model.equals("deepseek-chat") ? "tools, json_object" : "tools, json_object, reasoning");
            properties.put(at + "unsupported", "vision, audio, files, json_schema");
            properties.put(at + "context-window", "1048576");
            properties.put(at + "max-output-tokens", "393216");
        }
        backends.put(DEEPSEEK_BACKEND, new BackendSettings(DEEPSEEK_BACKEND, "openai", properties));
        List<String> names = new ArrayList<>(DEEPSEEK_FALLBACK_MODELS);
        names.addAll(DEEPSEEK_LEGACY_MODELS);
        List<ModelDefinition> added = deepSeekModels(names, models);
        models.addAll(added);
        return added.stream().map(ModelDefinition::id).toList();
    }

    /** A model per name routed to the DeepSeek backend under that name, leaving out names configured models already use. */
    private static List<ModelDefinition> deepSeekModels(List<String> names, List<ModelDefinition> configured) {
        List<ModelDefinition> added = new ArrayList<>();
        for (String model : names) {
            boolean taken = configured.stream().anyMatch(m -> m.id().equals(model) || m.aliases().contains(model));
            if (!taken) {
                added.add(new ModelDefinition(model, List.of(), FallbackPlan.of(new Tier(
                        TierRouting.weighted(Routes.of(new Route(DEEPSEEK_BACKEND, model, 1))), RetryPolicy.DEFAULT)), DEEPSEEK_BACKEND));
            }
        }
        return added;
    }

    /**
     * The extractive answerer is always there as backend {@code extractive} (a last fallback tier for any
     * model); with no model configured at all it is also the default model, grounded in all of the tenant's
     * knowledge bases and the web when a search provider is configured.
     */
    private static void addExtractiveDefaults(Map<String, BackendSettings> backends, List<ModelDefinition> models, boolean webSearch) {
        backends.putIfAbsent(EXTRACTIVE, new BackendSettings(EXTRACTIVE, EXTRACTIVE, Map.of()));
        if (models.isEmpty()) {
            models.add(new ModelDefinition(EXTRACTIVE, List.of(), FallbackPlan.of(new Tier(
                    TierRouting.weighted(Routes.of(new Route(EXTRACTIVE, EXTRACTIVE, 1))), RetryPolicy.NONE)), "meridian",
                    new GroundingSettings(webSearch, List.of(GroundingSettings.ALL_KNOWLEDGE_BASES), GroundingSettings.DEFAULT_MAX_SOURCES,
                            GroundingSettings.DEFAULT_CONTEXT_TOKENS)));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object node, String where) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), v));
            return copy;
        }
        throw new IllegalArgumentException(where + " must be a mapping (key: value), not " + describe(node));
    }

    private static List<?> asList(Object node, String where) {
        if (node instanceof List<?> list) {
            return list;
        }
        throw new IllegalArgumentException(where + " must be a list, not " + describe(node));
    }

    private static String describe(Object node) {
        return node == null ? "nothing" : "'" + node + "'";
    }

    private static Optional<String> string(Map<String, Object> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(where + "." + key + " must be a single value");
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static List<String> strings(Object node, String where) {
        if (node == null) {
            return List.of();
        }
        if (node instanceof String s) {
            return List.of(s.split("\\s*,\\s*"));
        }
        return asList(node, where).stream().map(String::valueOf).toList();
    }

    private static int integer(Map<String, Object> m, String key, String where, int fallback) {
        Optional<String> v = string(m, key, where);
        try {
            return v.map(Integer::parseInt).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + "." + key + " must be a whole number, not '" + v.get() + "'");
        }
    }

    private static Duration duration(Map<String, Object> m, String key, String where, Duration fallback) {
        return string(m, key, where).map(v -> BackendSettings.parseDuration(where + "." + key, v)).orElse(fallback);
    }
}
