package ai.meridian.bootstrap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every configuration key Meridian reads under {@code meridian.}, in one place: a key in a configuration file
 * that is not here stops start-up, naming the key, the file and the nearest valid key
 * ({@link ConfigurationFiles}). A feature that reads a new key adds it to {@link #KEYS} (one line);
 * {@code ConfigurationKeysTest} fails when a key documented in {@code docs/} is missing here.
 *
 * <p>Patterns: {@code *} stands for one name the operator chooses (a backend id, a header name, a field name),
 * {@code []} for a list (a key ending in {@code []} may also be written as one comma-separated value). Backend
 * keys are the union of every backend type's keys; the adapter checks the values of its own.
 */
final class ConfigurationKeys {

    /** The keys; see the class comment for the pattern syntax. */
    static final List<String> KEYS = keys();

    private static List<String> keys() {
        List<String> k = new ArrayList<>(List.of(
                "meridian.master-key",
                "meridian.data-dir",
                "meridian.http.fast-path",
                "meridian.http.request-header-timeout",
                "meridian.http.request-body-timeout",
                "meridian.http.max-connections-per-address",
                "meridian.shutdown.drain-time",
                // ingestion's work pool and jobs
                "meridian.ingestion.threads",
                "meridian.ingestion.queue-capacity",
                "meridian.ingestion.max-jobs",
                "meridian.ingestion.retry-after",
                "meridian.ingestion.heartbeat",
                "meridian.ingestion.stale-after",
                // tenants, keys, OIDC, CORS
                "meridian.auth.pepper",
                "meridian.auth.refresh-interval",
                "meridian.oidc.issuer",
                "meridian.oidc.audience",
                "meridian.oidc.jwks-url",
                "meridian.oidc.algorithms[]",
                "meridian.oidc.tenant-claim",
                "meridian.oidc.role-claim",
                "meridian.oidc.role-values[]",
                "meridian.oidc.default-role",
                "meridian.oidc.clock-skew",
                "meridian.oidc.refresh-interval",
                "meridian.oidc.fetch-timeout",
                "meridian.cors.enabled",
                "meridian.cors.allowed-origins[]",
                // limits, budgets, usage, audit, Redis
                "meridian.limits.store",
                "meridian.limits.redis-timeout",
                "meridian.limits.probe-interval",
                "meridian.limits.batch-window",
                "meridian.redis.url",
                "meridian.redis.cluster-urls[]",
                "meridian.redis.key-prefix",
                "meridian.redis.command-timeout",
                "meridian.redis.connect-timeout",
                // the response cache
                "meridian.cache.enabled",
                "meridian.cache.ttl",
                "meridian.cache.max-ttl",
                "meridian.cache.deterministic-only",
                "meridian.cache.store",
                "meridian.cache.redis-timeout",
                "meridian.cache.probe-interval",
                "meridian.cache.l1.max-size",
                "meridian.cache.l1.max-ttl",
                "meridian.cache.grounding.web-ttl",
                "meridian.cache.tenants.*.enabled",
                "meridian.cache.tenants.*.ttl",
                "meridian.cache.semantic.threshold",
                "meridian.cache.semantic.index",
                "meridian.cache.semantic.lucene.path",
                "meridian.cache.semantic.qdrant.collection-prefix",
                "meridian.usage.flush-interval",
                "meridian.audit.flush-interval",
                "meridian.audit.max-queued",
                "meridian.metrics.max-tenants",
                // PII masking
                "meridian.pii.enabled",
                "meridian.pii.rules[]",
                "meridian.pii.custom.*",
                "meridian.pii.untrusted-backends[]",
                "meridian.pii.restore-answers",
                "meridian.pii.mask-web-search",
                "meridian.pii.mask-logs",
                "meridian.logging.format",
                // conversations and the database
                "meridian.conversations.default-context-window-tokens",
                "meridian.conversations.max-history-turns",
                "meridian.conversations.query-timeout",
                "meridian.conversations.slow-query-threshold",
                "meridian.conversations.retry-after",
                "meridian.conversations.summary.model",
                "meridian.conversations.summary.max-tokens",
                // stored responses (the Responses API)
                "meridian.responses.store-by-default",
                "meridian.responses.max-chain",
                "meridian.responses.retention",
                // observability
                "meridian.tokenizer.encoding",
                "meridian.tracing.sampling-ratio",
                "meridian.tracing.service-name",
                "meridian.tracing.otlp.enabled",
                "meridian.tracing.otlp.endpoint",
                "meridian.tracing.otlp.headers.*",
                "meridian.health.probe-interval",
                "meridian.health.open-circuit-probe-interval",
                // resumable streams and the WebSocket door
                "meridian.streams.resume-window",
                "meridian.streams.max-events",
                "meridian.streams.max-lifetime",
                "meridian.streams.buffer",
                "meridian.streams.memory-budget",
                "meridian.websocket.enabled",
                "meridian.websocket.ping-interval",
                "meridian.websocket.idle-timeout",
                "meridian.websocket.auth-timeout",
                "meridian.websocket.send-buffer",
                "meridian.websocket.max-frame-size",
                "meridian.websocket.max-requests-per-connection",
                "meridian.deepseek.discovery-timeout",
                // web search and page fetching
                "meridian.web-search.provider",
                "meridian.web-search.quark.api-key",
                "meridian.web-search.quark.endpoint",
                "meridian.web-search.quark.engine-type",
                "meridian.web-search.quark.auth-header",
                "meridian.web-search.quark.main-text",
                "meridian.web-search.quark.markdown-text",
                "meridian.web-search.quark.summary",
                "meridian.web-search.quark.rerank-score",
                "meridian.web-search.quark.connect-timeout",
                "meridian.web-search.quark.max-response-bytes",
                "meridian.web-search.searxng.url",
                "meridian.web-search.searxng.language",
                "meridian.web-search.searxng.categories",
                "meridian.web-search.searxng.safe-search",
                "meridian.web-search.searxng.headers.*",
                "meridian.web-search.searxng.connect-timeout",
                "meridian.web-search.searxng.max-response-bytes",
                "meridian.web-fetch.enabled",
                "meridian.web-fetch.max-bytes",
                "meridian.web-fetch.timeout",
                "meridian.web-fetch.read-timeout",
                "meridian.web-fetch.connect-timeout",
                "meridian.web-fetch.max-redirects",
                "meridian.web-fetch.max-text-chars",
                "meridian.web-fetch.allow-private-hosts[]",
                "meridian.web-fetch.user-agent",
                "meridian.web-fetch.extraction-threads",
                // retrieval, embeddings, knowledge indexes
                "meridian.retrieval.web-timeout",
                "meridian.retrieval.knowledge-timeout",
                "meridian.retrieval.fetch-timeout",
                "meridian.retrieval.fetch-pages",
                "meridian.retrieval.web-results",
                "meridian.retrieval.knowledge-candidates",
                "meridian.retrieval.web-weight",
                "meridian.retrieval.keyword-weight",
                "meridian.retrieval.vector-weight",
                "meridian.retrieval.rewrite-with-model",
                "meridian.retrieval.rewrite-timeout",
                "meridian.retrieval.chunk-tokens",
                "meridian.retrieval.chunk-overlap",
                "meridian.retrieval.knowledge-weight",
                "meridian.retrieval.min-relevance",
                "meridian.embedding.model",
                "meridian.embedding.threads",
                "meridian.embedding.intra-op-threads",
                "meridian.embedding.max-batch-size",
                "meridian.embedding.queue-capacity",
                "meridian.embedding.reembed",
                "meridian.knowledge.index",
                "meridian.knowledge.lucene.path",
                "meridian.knowledge.lucene.search-threads",
                "meridian.knowledge.lucene.write-threads",
                "meridian.knowledge.lucene.ram-buffer-mb",
                "meridian.knowledge.lucene.hnsw-candidates",
                "meridian.knowledge.lucene.compact-after-idle",
                "meridian.knowledge.lucene.compact-to-segments",
                "meridian.knowledge.lucene.exact-search-limit",
                "meridian.knowledge.qdrant.host",
                "meridian.knowledge.qdrant.port",
                "meridian.knowledge.qdrant.tls",
                "meridian.knowledge.qdrant.api-key",
                "meridian.knowledge.qdrant.timeout",
                "meridian.knowledge.qdrant.layout",
                "meridian.knowledge.qdrant.collection-prefix",
                "meridian.knowledge.qdrant.threads",
                "meridian.knowledge.qdrant.hnsw-ef",
                // backends: every type
                "meridian.backends.*.type",
                "meridian.backends.*.circuit-breaker.enabled",
                "meridian.backends.*.circuit-breaker.failure-rate-threshold",
                "meridian.backends.*.circuit-breaker.minimum-calls",
                "meridian.backends.*.circuit-breaker.sliding-window-size",
                "meridian.backends.*.circuit-breaker.wait-in-open",
                "meridian.backends.*.circuit-breaker.half-open-calls",
                "meridian.backends.*.forward-headers[]",
                "meridian.backends.*.context-window",
                "meridian.backends.*.max-output-tokens",
                "meridian.backends.*.models[].name",
                "meridian.backends.*.models[].capabilities[]",
                "meridian.backends.*.models[].unsupported[]",
                "meridian.backends.*.models[].context-window",
                "meridian.backends.*.models[].max-output-tokens",
                "meridian.backends.*.models[].chat-template",
                "meridian.backends.*.models[].tool-calling",
                "meridian.backends.*.models[].structured-output",
                // backends: type openai
                "meridian.backends.*.base-url",
                "meridian.backends.*.api-key",
                "meridian.backends.*.headers.*",
                "meridian.backends.*.connect-timeout",
                "meridian.backends.*.first-token-timeout",
                "meridian.backends.*.total-timeout",
                "meridian.backends.*.read-timeout",
                "meridian.backends.*.idle-timeout",
                "meridian.backends.*.max-connections",
                "meridian.backends.*.max-response-bytes",
                "meridian.backends.*.stream-usage",
                "meridian.backends.*.max-tokens-field",
                "meridian.backends.*.health-check",
                "meridian.backends.*.continuation",
                "meridian.backends.*.model-discovery",
                "meridian.backends.*.text-completions",
                "meridian.backends.*.model-discovery-retry",
                "meridian.backends.*.parameters.deny[]",
                "meridian.backends.*.parameters.drop[]",
                "meridian.backends.*.parameters.rename.*",
                "meridian.backends.*.parameters.set.*",
                // backends: type triton
                "meridian.backends.*.endpoints[]",
                "meridian.backends.*.model",
                "meridian.backends.*.model-version",
                "meridian.backends.*.convention",
                "meridian.backends.*.chat-template",
                "meridian.backends.*.tool-calling",
                "meridian.backends.*.structured-output",
                "meridian.backends.*.prepend-bos",
                "meridian.backends.*.default-max-tokens",
                "meridian.backends.*.top-k",
                "meridian.backends.*.stream-text",
                "meridian.backends.*.complete-rpc",
                "meridian.backends.*.keep-alive-time",
                "meridian.backends.*.keep-alive-timeout",
                "meridian.backends.*.max-message-size",
                "meridian.backends.*.endpoint-cooldown",
                "meridian.backends.*.tls",
                "meridian.backends.*.tls-trust-cert",
                "meridian.backends.*.tls-authority",
                // backends: type anthropic (besides base-url, api-key, headers, the timeouts, health-check, default-max-tokens)
                "meridian.backends.*.auth",
                "meridian.backends.*.anthropic-version",
                "meridian.backends.*.anthropic-beta[]",
                "meridian.backends.*.parameters.allow[]",
                // backends: type extractive
                "meridian.backends.*.max-sentences",
                "meridian.backends.*.no-sources-answer",
                // the Anthropic door
                "meridian.anthropic.model-mapping[].from",
                "meridian.anthropic.model-mapping[].to",
                "meridian.anthropic.ping-interval",
                // models
                "meridian.models[].id",
                "meridian.models[].aliases[]",
                "meridian.models[].mid-stream-fallback",
                "meridian.models[].owned-by",
                "meridian.models[].base",
                "meridian.models[].static-answer",
                "meridian.models[].context-window-tokens",
                "meridian.models[].grounding.web-search",
                "meridian.models[].grounding.knowledge-bases[]",
                "meridian.models[].grounding.max-sources",
                "meridian.models[].grounding.context-tokens",
                "meridian.models[].cache.enabled",
                "meridian.models[].cache.ttl",
                "meridian.models[].cache.deterministic-only",
                "meridian.models[].cache.semantic.enabled",
                "meridian.models[].cache.semantic.threshold"));
        tier(k, "meridian.models[]");
        tier(k, "meridian.models[].fallbacks[]");
        return Collections.unmodifiableList(k);
    }

    /** A fallback tier's keys (the primary tier's live on the model itself). */
    private static void tier(List<String> keys, String at) {
        routes(keys, at + ".routes[]");
        routes(keys, at + ".complexity.simple-routes[]");
        keys.add(at + ".complexity.max-simple-chars");
        keys.add(at + ".complexity.max-simple-turns");
        keys.add(at + ".complexity.markers[]");
        keys.add(at + ".canary.percent");
        routes(keys, at + ".canary.routes[]");
        keys.add(at + ".retry.max-attempts");
        keys.add(at + ".retry.initial-backoff");
        keys.add(at + ".retry.max-backoff");
        keys.add(at + ".retry.retry-after-cap");
    }

    private static void routes(List<String> keys, String at) {
        keys.add(at + ".backend");
        keys.add(at + ".model");
        keys.add(at + ".weight");
    }

    /** The keys as a tree of path segments ({@code models[]} and {@code models} are one segment, {@code models}). */
    private static final Node TREE = tree();

    private static final class Node {
        final Map<String, Node> children = new TreeMap<>();
        boolean leaf;
    }

    private static Node tree() {
        Node root = new Node();
        for (String key : KEYS) {
            Node node = root;
            for (String segment : segments(key)) {
                node = node.children.computeIfAbsent(segment, s -> new Node());
            }
            node.leaf = true;
        }
        return root;
    }

    /** {@code meridian.models[0].routes[1].backend} → {@code [meridian, models, routes, backend]}. */
    static List<String> segments(String key) {
        List<String> segments = new ArrayList<>();
        for (String part : key.split("\\.")) {
            segments.add(part.replaceAll("\\[\\d*]", ""));
        }
        return segments;
    }

    /** What is wrong with a key: nothing, or the unknown part and the nearest valid key. */
    record Verdict(boolean known, String unknownPrefix, Optional<String> nearest) {
    }

    /**
     * Checks a key as written in a file ({@code meridian.models[0].id}; camelCase names count as their kebab
     * form, as Micronaut reads them). A key that stops at a section (a mapping left empty) is known too.
     */
    static Verdict check(String key) {
        String[] written = key.split("\\.");
        Node node = TREE;
        StringBuilder path = new StringBuilder();
        for (String part : written) {
            String segment = kebab(part.replaceAll("\\[\\d*]", ""));
            Node next = node.children.get(segment);
            if (next == null) {
                next = node.children.get("*");
            }
            String before = path.toString();
            if (next == null) {
                String unknown = before.isEmpty() ? part : before + "." + part;
                return new Verdict(false, unknown, nearest(node, segment).map(n -> (before.isEmpty() ? "" : before + ".") + n));
            }
            path.append(before.isEmpty() ? "" : ".").append(part);
            node = next;
        }
        return new Verdict(true, key, Optional.empty());
    }

    /** True when {@code key} names a key or a section of keys ({@code meridian.backends.*.circuit-breaker}). */
    static boolean isKeyOrSection(String key) {
        return check(key).known();
    }

    /** The sibling name closest to {@code segment} (edit distance at most a third of its length, at least 2). */
    private static Optional<String> nearest(Node parent, String segment) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : parent.children.keySet()) {
            if (candidate.equals("*")) {
                continue;
            }
            int distance = distance(segment, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int allowed = Math.max(2, segment.length() / 3);
        if (best != null && bestDistance > allowed && !best.replace("-", "").equals(segment.replace("-", "").replace("_", ""))) {
            return Optional.empty();
        }
        return Optional.ofNullable(best);
    }

    /** camelCase → kebab-case ({@code masterKey} → {@code master-key}); other names unchanged. */
    static String kebab(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(name.charAt(i - 1))) {
                out.append('-');
            }
            out.append(c);
        }
        return name.chars().anyMatch(Character::isLowerCase) && !name.contains("-") ? out.toString().toLowerCase(Locale.ROOT) : name;
    }

    /** Damerau-Levenshtein distance (optimal string alignment): a swap of two neighbours counts one. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
