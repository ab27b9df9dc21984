package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.routing.CanarySplit;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.KeyLimits;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The cache key covers every input that shapes an answer: changing any one of them, field by field, gives another key
 * (a miss); what does not shape the answer leaves it alone.
 */
class CacheKeysTest {
    private static final ModelDefinition MODEL = model("chat", new Route("b", "m", 1));

    private static ModelDefinition model(String id, Route... routes) {
        return new ModelDefinition(id, List.of("alias"), FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(routes)), RetryPolicy.NONE)), null);
    }

    private static ChatMessage assistantWithCall() {
        return ChatMessage.builder(Role.ASSISTANT).contentNull(true).toolCalls(List.of(ToolCall.function("call_1", "lookup", "{\"q\":1}")))
                .build();
    }

    private static ChatMessage toolResult() {
        return ChatMessage.builder(Role.TOOL).content("42").toolCallId("call_1").build();
    }

    private static final List<ChatMessage> MESSAGES = List.of(ChatMessage.system("be brief"), ChatMessage.user("what is x?"),
            assistantWithCall(), toolResult(), ChatMessage.user("and y?"));

    private static final GenerationParams PARAMS = new GenerationParams(0.0, 1.0, 100, List.of("END"), 7L, "alice", ResponseFormat.TEXT,
            0.0, 0.0, 1, false, null, Map.of("thinking", "{\"type\":\"disabled\"}"), "max_tokens");

    private static final ToolSpec TOOLS = new ToolSpec(List.of(new ToolDefinition("function", "lookup", "looks up", "{\"type\":\"object\"}",
            "{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}")), Optional.of(ToolChoice.AUTO), Optional.of(true), false);

    private static final GroundingSettings GROUNDING = new GroundingSettings(true, List.of("docs"), 8, 3000);

    private static final Access ACCESS = new Access(ai.meridian.domain.tenancy.Role.MEMBER, List.of(), List.of("docs", "faq"),
            KeyLimits.NONE, false);

    private static CacheKeys.KeyInput base() {
        return new CacheKeys.KeyInput("acme", "chat", MODEL, "weighted b/m*1;", MESSAGES, PARAMS, TOOLS, GROUNDING, ACCESS, "retrieval-1");
    }

    private static CacheKeys.KeyInput with(UnaryOperator<CacheKeys.KeyInput> change) {
        return change.apply(base());
    }

    private static CacheKeys.KeyInput messages(CacheKeys.KeyInput in, List<ChatMessage> messages) {
        return new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), in.model(), in.route(), messages, in.params(), in.tools(), in.grounding(),
                in.access(), in.retrieval());
    }

    private static CacheKeys.KeyInput message(int index, ChatMessage replaced) {
        List<ChatMessage> changed = new java.util.ArrayList<>(MESSAGES);
        changed.set(index, replaced);
        return messages(base(), changed);
    }

    private static CacheKeys.KeyInput params(GenerationParams p) {
        CacheKeys.KeyInput in = base();
        return new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), in.model(), in.route(), in.messages(), p, in.tools(), in.grounding(),
                in.access(), in.retrieval());
    }

    private static GenerationParams p(Double temperature, Double topP, Integer maxTokens, List<String> stop, Long seed, ResponseFormat format,
                                      Double presence, Double frequency, Integer n, Boolean logprobs, Integer topLogprobs,
                                      Map<String, String> extra, String maxTokensField) {
        return new GenerationParams(temperature, topP, maxTokens, stop, seed, "alice", format, presence, frequency, n, logprobs, topLogprobs,
                extra, maxTokensField);
    }

    private static CacheKeys.KeyInput tools(ToolSpec tools) {
        CacheKeys.KeyInput in = base();
        return new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), in.model(), in.route(), in.messages(), in.params(), tools, in.grounding(),
                in.access(), in.retrieval());
    }

    private static CacheKeys.KeyInput grounding(GroundingSettings g, Access access, String retrieval) {
        CacheKeys.KeyInput in = base();
        return new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), in.model(), in.route(), in.messages(), in.params(), in.tools(), g,
                access, retrieval);
    }

    @Test
    void everyOutputShapingInputChangesTheKey() {
        Map<String, CacheKeys.KeyInput> changes = new LinkedHashMap<>();
        changes.put("tenant", with(in -> new CacheKeys.KeyInput("other", in.requestedModel(), in.model(), in.route(), in.messages(), in.params(),
                in.tools(), in.grounding(), in.access(), in.retrieval())));
        changes.put("model as asked (alias)", with(in -> new CacheKeys.KeyInput(in.tenant(), "alias", in.model(), in.route(), in.messages(),
                in.params(), in.tools(), in.grounding(), in.access(), in.retrieval())));
        changes.put("resolved model", with(in -> new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), model("chat2", new Route("b", "m", 1)),
                in.route(), in.messages(), in.params(), in.tools(), in.grounding(), in.access(), in.retrieval())));
        changes.put("resolved route", with(in -> new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), in.model(), "weighted b/m2*1;",
                in.messages(), in.params(), in.tools(), in.grounding(), in.access(), in.retrieval())));
        changes.put("text completion (legacy Completions door)", with(in -> new CacheKeys.KeyInput(in.tenant(), in.requestedModel(), in.model(),
                in.route(), in.messages(), in.params(), in.tools(), in.grounding(), in.access(), in.retrieval(), true)));
        // messages, field by field
        changes.put("message role", message(0, ChatMessage.user("be brief")));
        changes.put("message content", message(1, ChatMessage.user("what is z?")));
        changes.put("message parts", message(1, ChatMessage.builder(Role.USER).parts(List.of(ContentPart.text("what is x?"),
                ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}"))).build()));
        changes.put("message text part vs plain text", message(1, ChatMessage.builder(Role.USER).parts(List.of(ContentPart.text("what is x?")))
                .build()));
        changes.put("message name", message(1, new ChatMessage(Role.USER, "what is x?", "bob")));
        changes.put("tool call id", message(2, ChatMessage.builder(Role.ASSISTANT).contentNull(true)
                .toolCalls(List.of(ToolCall.function("call_2", "lookup", "{\"q\":1}"))).build()));
        changes.put("tool call name", message(2, ChatMessage.builder(Role.ASSISTANT).contentNull(true)
                .toolCalls(List.of(ToolCall.function("call_1", "search", "{\"q\":1}"))).build()));
        changes.put("tool call arguments", message(2, ChatMessage.builder(Role.ASSISTANT).contentNull(true)
                .toolCalls(List.of(ToolCall.function("call_1", "lookup", "{\"q\":2}"))).build()));
        changes.put("legacy function call", message(2, ChatMessage.builder(Role.ASSISTANT).contentNull(true)
                .functionCall(new ToolCall(null, "function", "lookup", "{\"q\":1}")).build()));
        changes.put("assistant content instead of no content", message(2, ChatMessage.builder(Role.ASSISTANT).content("")
                .toolCalls(List.of(ToolCall.function("call_1", "lookup", "{\"q\":1}"))).build()));
        changes.put("reasoning sent back", message(2, ChatMessage.builder(Role.ASSISTANT).contentNull(true).reasoningContent("hmm")
                .toolCalls(List.of(ToolCall.function("call_1", "lookup", "{\"q\":1}"))).build()));
        changes.put("tool result", message(3, ChatMessage.builder(Role.TOOL).content("43").toolCallId("call_1").build()));
        changes.put("tool result's call id", message(3, ChatMessage.builder(Role.TOOL).content("42").toolCallId("call_9").build()));
        changes.put("message extra field", message(4, ChatMessage.builder(Role.USER).content("and y?").extra(Map.of("prefix", "true")).build()));
        changes.put("one more message (history)", messages(base(), java.util.stream.Stream.concat(Stream1.of(ChatMessage.user("hi")),
                MESSAGES.stream()).toList()));
        // generation controls
        changes.put("temperature", params(p(0.5, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("top_p", params(p(0.0, 0.9, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("max_tokens", params(p(0.0, 1.0, 101, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("max_completion_tokens field", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null,
                PARAMS.extra(), "max_completion_tokens")));
        changes.put("stop", params(p(0.0, 1.0, 100, List.of("STOP"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("seed", params(p(0.0, 1.0, 100, List.of("END"), 8L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("response_format", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.JSON_OBJECT, 0.0, 0.0, 1, false, null,
                PARAMS.extra(), "max_tokens")));
        changes.put("response_format schema", params(p(0.0, 1.0, 100, List.of("END"), 7L, new ResponseFormat("json_schema", "{\"name\":\"a\"}"),
                0.0, 0.0, 1, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("presence_penalty", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.5, 0.0, 1, false, null, PARAMS.extra(),
                "max_tokens")));
        changes.put("frequency_penalty", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.5, 1, false, null, PARAMS.extra(),
                "max_tokens")));
        changes.put("n", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 2, false, null, PARAMS.extra(), "max_tokens")));
        changes.put("logprobs", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, true, null, PARAMS.extra(), "max_tokens")));
        changes.put("top_logprobs", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, true, 3, PARAMS.extra(),
                "max_tokens")));
        changes.put("vendor extra value", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null,
                Map.of("thinking", "{\"type\":\"enabled\"}"), "max_tokens")));
        changes.put("one more vendor extra", params(p(0.0, 1.0, 100, List.of("END"), 7L, ResponseFormat.TEXT, 0.0, 0.0, 1, false, null,
                Map.of("thinking", "{\"type\":\"disabled\"}", "top_k", "40"), "max_tokens")));
        // tools
        changes.put("tool definition", tools(new ToolSpec(List.of(new ToolDefinition("function", "lookup", "looks up", "{\"type\":\"object\"}",
                "{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"strict\":true}}")), Optional.of(ToolChoice.AUTO), Optional.of(true), false)));
        changes.put("tool_choice", tools(new ToolSpec(TOOLS.tools(), Optional.of(ToolChoice.REQUIRED), Optional.of(true), false)));
        changes.put("parallel_tool_calls", tools(new ToolSpec(TOOLS.tools(), Optional.of(ToolChoice.AUTO), Optional.of(false), false)));
        changes.put("legacy functions form", tools(new ToolSpec(TOOLS.tools(), Optional.of(ToolChoice.AUTO), Optional.of(true), true)));
        changes.put("no tools", tools(ToolSpec.NONE));
        // grounding
        changes.put("web_search", grounding(new GroundingSettings(false, List.of("docs"), 8, 3000), ACCESS, "retrieval-1"));
        changes.put("knowledge_bases", grounding(new GroundingSettings(true, List.of("faq"), 8, 3000), ACCESS, "retrieval-1"));
        changes.put("grounding max sources", grounding(new GroundingSettings(true, List.of("docs"), 4, 3000), ACCESS, "retrieval-1"));
        changes.put("grounding context tokens", grounding(new GroundingSettings(true, List.of("docs"), 8, 2000), ACCESS, "retrieval-1"));
        changes.put("retrieval configuration", grounding(GROUNDING, ACCESS, "retrieval-2"));

        String baseKey = CacheKeys.exact(base());
        assertThat(CacheKeys.isKey(baseKey)).isTrue();
        Map<String, String> keys = new LinkedHashMap<>();
        changes.forEach((field, input) -> keys.put(field, CacheKeys.exact(input)));
        keys.forEach((field, key) -> assertThat(key).as("changing %s", field).isNotEqualTo(baseKey));
        assertThat(keys.values()).as("every change gives its own key").doesNotHaveDuplicates();
    }

    @Test
    void allKnowledgeBasesMeansTheKeysOwnAllowList() {
        GroundingSettings all = new GroundingSettings(false, List.of("*"), 8, 3000);
        Access docsOnly = new Access(ai.meridian.domain.tenancy.Role.MEMBER, List.of(), List.of("docs"), KeyLimits.NONE, false);
        assertThat(CacheKeys.exact(grounding(all, ACCESS, "r"))).isNotEqualTo(CacheKeys.exact(grounding(all, docsOnly, "r")));
        assertThat(CacheKeys.scopes("acme", "chat", List.of("*"))).contains("kbs/acme");
        assertThat(CacheKeys.scopes("acme", "chat", List.of("docs"))).contains("kb/acme/docs", "t/acme", "tm/acme/chat", "m/chat", "all");
    }

    @Test
    void whatDoesNotShapeTheAnswerLeavesTheKeyAlone() {
        String baseKey = CacheKeys.exact(base());
        // user (an end-user id), the order the client wrote pass-through fields in, -0.0 for 0.0
        GenerationParams otherUser = new GenerationParams(-0.0, 1.0, 100, List.of("END"), 7L, "bob", ResponseFormat.TEXT, 0.0, 0.0, 1, false, null,
                Map.of("thinking", "{\"type\":\"disabled\"}"), "max_tokens");
        assertThat(CacheKeys.exact(params(otherUser))).isEqualTo(baseKey);
        // grounding settings and the retrieval configuration do not matter when nothing is grounded
        GroundingSettings none = GroundingSettings.NONE;
        assertThat(CacheKeys.exact(grounding(none, ACCESS, "a"))).isEqualTo(CacheKeys.exact(grounding(none, ACCESS, "b")));
    }

    @Test
    void theSemanticPartitionLeavesOutOnlyTheLastPromptsText() {
        CacheKeys.KeyInput in = base();
        String partition = CacheKeys.partition(in).orElseThrow();
        List<ChatMessage> paraphrased = new java.util.ArrayList<>(MESSAGES);
        paraphrased.set(4, ChatMessage.user("and what about y?"));
        assertThat(CacheKeys.partition(messages(in, paraphrased))).contains(partition);
        assertThat(CacheKeys.exact(messages(in, paraphrased))).isNotEqualTo(CacheKeys.exact(in));
        List<ChatMessage> otherHistory = new java.util.ArrayList<>(MESSAGES);
        otherHistory.set(1, ChatMessage.user("what is w?"));
        assertThat(CacheKeys.partition(messages(in, otherHistory))).isPresent().get().isNotEqualTo(partition);
        assertThat(CacheKeys.partition(params(new GenerationParams(0.0, 1.0, 100, List.of("END"), 7L, "alice", ResponseFormat.TEXT, 0.0, 0.0, 2,
                false, null, PARAMS.extra(), "max_tokens")))).isPresent().get().isNotEqualTo(partition);
    }

    @Test
    void theRouteNamesTheCanarySideOfTheCaller() {
        Routes stable = Routes.of(new Route("b", "m", 1));
        Routes canary = Routes.of(new Route("b", "m-next", 1));
        ModelDefinition all = new ModelDefinition("chat", List.of(), FallbackPlan.of(new Tier(new TierRouting(stable, Optional.empty(),
                Optional.of(new CanarySplit(100, canary))), RetryPolicy.NONE)), null);
        ModelDefinition none = new ModelDefinition("chat", List.of(), FallbackPlan.of(new Tier(new TierRouting(stable, Optional.empty(),
                Optional.of(new CanarySplit(0, canary))), RetryPolicy.NONE)), null);
        assertThat(CacheKeys.route(all, "acme/k", MESSAGES).orElseThrow()).startsWith("canary b/m-next");
        assertThat(CacheKeys.route(none, "acme/k", MESSAGES).orElseThrow()).isEqualTo("weighted b/m*1;");
        assertThat(CacheKeys.route(new ModelDefinition("s", List.of(), new FallbackPlan(List.of(), Optional.of("busy")), null), "k", MESSAGES))
                .isEmpty();
    }

    private static final class Stream1 {
        static java.util.stream.Stream<ChatMessage> of(ChatMessage m) {
            return java.util.stream.Stream.of(m);
        }
    }
}
