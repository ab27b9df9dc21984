package ai.meridian.application.service;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.routing.Complexity;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import ai.meridian.domain.tenancy.Access;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The response cache's keys: a SHA-256 over every input that shapes an answer, each written with a tag and its
 * length so no two different requests can write the same bytes: the tenant; the model as asked and as resolved; the
 * route the request resolves to (which branch of the primary tier — canary, simple, complex or weighted — and that
 * branch's backends, upstream models and weights); every message (role, text, parts, name, tool calls, the legacy
 * function call, tool call id, reasoning, every extra field as raw JSON); every generation control (sampling, limits,
 * stop, seed, {@code response_format}, penalties, {@code n}, log probabilities, which field carried the output limit,
 * and every pass-through field as raw JSON); the tools, {@code tool_choice}, {@code parallel_tool_calls} and the
 * legacy form; the effective grounding (web search, knowledge bases, source and token budgets, the caller's
 * knowledge-base allow-list when it names all bases) and the retrieval configuration. Not in the key, on purpose:
 * {@code stream} and {@code stream_options} (an answer replays either way), {@code user} (an end-user id for abuse
 * tracking; requests of different users of one tenant share answers, except that canary routing by user is part of
 * the route), the conversation id (its history is in the messages).
 *
 * <p>Also here: the generation scopes an entry depends on, whose counters purges and knowledge-base changes raise.
 */
final class CacheKeys {
    static final String VERSION = "meridian-cache-v1";

    private CacheKeys() {
    }

    /**
     * Everything a key is computed from, besides the messages; {@code textCompletion}: the request asks for raw text
     * continuation (the legacy Completions door), which answers the same messages differently from a chat.
     */
    record KeyInput(String tenant, String requestedModel, ModelDefinition model, String route, List<ChatMessage> messages,
                    GenerationParams params, ToolSpec tools, GroundingSettings grounding, Access access, String retrieval,
                    boolean textCompletion) {
        KeyInput(String tenant, String requestedModel, ModelDefinition model, String route, List<ChatMessage> messages,
                 GenerationParams params, ToolSpec tools, GroundingSettings grounding, Access access, String retrieval) {
            this(tenant, requestedModel, model, route, messages, params, tools, grounding, access, retrieval, false);
        }
    }

    /** The exact key (64 hex digits). */
    static String exact(KeyInput input) {
        Digest digest = start(input, "exact");
        digest.tag("messages").number(input.messages().size());
        for (ChatMessage message : input.messages()) {
            message(digest, message);
        }
        return digest.hex();
    }

    /**
     * The partition of the semantic cache: the exact key's inputs without the text of the last message (which must be a
     * plain user text message; else empty, and the request has no semantic lookup). Prompts are compared by meaning only
     * within one partition: same tenant, model, route, parameters, tools, grounding and earlier messages.
     */
    static java.util.Optional<String> partition(KeyInput input) {
        List<ChatMessage> messages = input.messages();
        ChatMessage last = messages.get(messages.size() - 1);
        if (last.role() != Role.USER || !last.parts().isEmpty() || !last.extra().isEmpty() || last.name() != null
                || last.content().isBlank()) {
            return java.util.Optional.empty();
        }
        Digest digest = start(input, "semantic");
        digest.tag("messages").number(messages.size());
        for (int i = 0; i < messages.size() - 1; i++) {
            message(digest, messages.get(i));
        }
        return java.util.Optional.of(digest.hex());
    }

    private static Digest start(KeyInput input, String kind) {
        Digest d = new Digest();
        d.tag(VERSION).text(kind);
        d.tag("tenant").text(input.tenant());
        d.tag("model").text(input.requestedModel()).text(input.model().id());
        d.tag("route").text(input.route());
        d.tag("text_completion").flag(input.textCompletion());
        params(d, input.params());
        tools(d, input.tools());
        GroundingSettings g = input.grounding();
        d.tag("grounding").flag(g.webSearch()).number(g.maxSources()).number(g.contextTokens()).number(g.knowledgeBases().size());
        g.knowledgeBases().stream().sorted().forEach(d::text);
        if (g.knowledgeBases().contains(GroundingSettings.ALL_KNOWLEDGE_BASES)) {
            // "All bases" means those this key may use.
            d.tag("allowed-bases").number(input.access().allowedKnowledgeBases().size());
            input.access().allowedKnowledgeBases().stream().sorted().forEach(d::text);
        }
        d.tag("retrieval").text(g.enabled() ? input.retrieval() : "");
        return d;
    }

    private static void params(Digest d, GenerationParams p) {
        d.tag("temperature").decimal(p.temperature());
        d.tag("top_p").decimal(p.topP());
        d.tag("max_tokens").integer(p.maxTokens()).text(p.maxTokensField());
        d.tag("stop").number(p.stop().size());
        p.stop().forEach(d::text);
        d.tag("seed").text(p.seed() == null ? null : p.seed().toString());
        ResponseFormat format = p.responseFormat();
        d.tag("response_format").text(format == null ? null : format.type()).text(format == null ? null : format.schemaJson());
        d.tag("presence_penalty").decimal(p.presencePenalty());
        d.tag("frequency_penalty").decimal(p.frequencyPenalty());
        d.tag("n").integer(p.n());
        d.tag("logprobs").text(p.logprobs() == null ? null : p.logprobs().toString()).integer(p.topLogprobs());
        raw(d.tag("extra"), p.extra());
    }

    private static void tools(Digest d, ToolSpec tools) {
        d.tag("tools").number(tools.tools().size()).flag(tools.legacy());
        for (ToolDefinition tool : tools.tools()) {
            d.text(tool.type()).text(tool.name()).text(tool.description()).text(tool.parametersJson()).text(tool.json());
        }
        d.tag("tool_choice").text(tools.choice().map(c -> c.json()).orElse(null));
        d.tag("parallel_tool_calls").text(tools.parallelToolCalls().map(String::valueOf).orElse(null));
    }

    private static void message(Digest d, ChatMessage m) {
        d.tag("message").text(m.role().name()).text(m.content()).flag(m.contentNull()).text(m.name())
                .text(m.toolCallId()).text(m.reasoningContent());
        d.tag("parts").number(m.parts().size());
        for (ContentPart part : m.parts()) {
            d.text(part.type()).text(part.text()).text(part.json());
        }
        d.tag("tool_calls").number(m.toolCalls().size());
        m.toolCalls().forEach(call -> call(d, call));
        d.tag("function_call").flag(m.functionCall() != null);
        if (m.functionCall() != null) {
            call(d, m.functionCall());
        }
        raw(d.tag("message_extra"), m.extra());
    }

    private static void call(Digest d, ToolCall call) {
        d.text(call.id()).text(call.type()).text(call.name()).text(call.arguments());
    }

    private static void raw(Digest d, Map<String, String> fields) {
        d.number(fields.size());
        // Members of a JSON object have no order; the raw values are compared as the client wrote them.
        new java.util.TreeMap<>(fields).forEach((name, json) -> d.text(name).text(json));
    }

    /**
     * The route a request resolves to in the model's primary tier: which branch (canary for this caller, simple or
     * complex by the prompt, or weighted) and that branch's routes. Empty when the model has no routed tier (a static
     * answer only: nothing worth caching).
     */
    static java.util.Optional<String> route(ModelDefinition model, String callerKey, List<ChatMessage> messages) {
        if (model.plan().tiers().isEmpty()) {
            return java.util.Optional.empty();
        }
        TierRouting routing = model.plan().tiers().get(0).routing();
        StringBuilder route = new StringBuilder();
        if (routing.canary().isPresent() && routing.canary().get().includes(model.id(), callerKey)) {
            route.append("canary ");
            routes(route, routing.canary().get().routes());
            route.append(" else ");
        }
        if (routing.complexity().isPresent()) {
            boolean simple = routing.complexity().get().rule().classify(messages) == Complexity.SIMPLE;
            route.append(simple ? "simple " : "complex ");
            if (simple) {
                routes(route, routing.complexity().get().simpleRoutes());
                route.append(" else ");
            }
        } else {
            route.append("weighted ");
        }
        routes(route, routing.routes());
        return java.util.Optional.of(route.toString());
    }

    private static void routes(StringBuilder out, Routes routes) {
        for (Route r : routes.routes()) {
            out.append(r.backend()).append('/').append(r.upstreamModel()).append('*').append(r.weight()).append(';');
        }
    }

    // ---- generation scopes

    static final String ALL = "all";

    static String tenantScope(String tenant) {
        return "t/" + tenant;
    }

    static String modelScope(String model) {
        return "m/" + model;
    }

    static String tenantModelScope(String tenant, String model) {
        return "tm/" + tenant + "/" + model;
    }

    static String knowledgeBaseScope(String tenant, String base) {
        return "kb/" + tenant + "/" + base;
    }

    /** Raised on every change of any of the tenant's knowledge bases (answers grounded on "all bases" depend on it). */
    static String anyKnowledgeBaseScope(String tenant) {
        return "kbs/" + tenant;
    }

    /** The scopes an answer for this tenant and model, grounded on these bases, depends on; in a stable order. */
    static List<String> scopes(String tenant, String model, List<String> knowledgeBases) {
        List<String> scopes = new ArrayList<>(4 + knowledgeBases.size());
        scopes.add(ALL);
        scopes.add(tenantScope(tenant));
        scopes.add(modelScope(model));
        scopes.add(tenantModelScope(tenant, model));
        for (String base : new TreeSet<>(knowledgeBases)) {
            scopes.add(base.equals(GroundingSettings.ALL_KNOWLEDGE_BASES) ? anyKnowledgeBaseScope(tenant) : knowledgeBaseScope(tenant, base));
        }
        return scopes;
    }

    /** Where an entry lives in a store: the tenant, then the key (a tenant can only name its own entries). */
    static String storeKey(String tenant, String key) {
        return tenant + "/" + key;
    }

    static boolean isKey(String key) {
        if (key == null || key.length() != 64) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** A SHA-256 fed with tagged, length-prefixed values. */
    static final class Digest {
        private final MessageDigest sha;
        private final byte[] four = new byte[8];

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
            }
        }

        Digest tag(String tag) {
            sha.update((byte) 0x1e);
            return text(tag);
        }

        Digest text(String value) {
            if (value == null) {
                return number(-1);
            }
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            number(bytes.length);
            sha.update(bytes);
            return this;
        }

        Digest number(long value) {
            for (int i = 0; i < 8; i++) {
                four[i] = (byte) (value >>> (56 - 8 * i));
            }
            sha.update(four, 0, 8);
            return this;
        }

        Digest integer(Integer value) {
            return value == null ? text(null) : text(value.toString());
        }

        Digest decimal(Double value) {
            // 0.0 and -0.0, 1 and 1.0 are the same request.
            return value == null ? text(null) : text(Double.toString(value == 0 ? 0.0 : value));
        }

        Digest flag(boolean value) {
            return number(value ? 1 : 0);
        }

        String hex() {
            byte[] hash = sha.digest();
            StringBuilder out = new StringBuilder(hash.length * 2);
            for (byte b : hash) {
                out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return out.toString();
        }
    }
}
