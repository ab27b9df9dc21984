package ai.meridian.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.FallbackRun;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Step;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.retrieval.GroundingRequest;
import ai.meridian.domain.routing.ModelCapabilities.ParameterSupport;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Routing and fallback skip routes that cannot serve what a request needs, and say why when none can. */
class CapabilityRoutingTest {
    private static final ToolDefinition WEATHER = new ToolDefinition("function", "weather", null, "{\"type\":\"object\"}",
            "{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}");
    private static final Route TEXT_ONLY = new Route("triton", "llama", 1);
    private static final Route CAPABLE = new Route("openai", "gpt", 1);
    private static final ModelCapabilities NO_TOOLS = new ModelCapabilities(Set.of(), EnumSet.of(Capability.TOOLS, Capability.VISION),
            8192, 0, ParameterSupport.only(List.of("seed")));

    private static RouteCheck check(RequestNeeds needs) {
        return route -> route.equals(TEXT_ONLY) ? NO_TOOLS.shortfall(needs, "backend 'triton'") : Optional.empty();
    }

    private static ChatRequest request(ToolSpec tools, GenerationParams params, ChatMessage... messages) {
        return new ChatRequest("chat", List.of(messages), params, false, false, GroundingRequest.AS_CONFIGURED, tools);
    }

    private static FallbackRun run(RequestNeeds needs, Optional<String> staticAnswer, Route... tiers) {
        List<Tier> planned = java.util.Arrays.stream(tiers).map(r -> new Tier(TierRouting.weighted(Routes.of(r)), RetryPolicy.NONE)).toList();
        return new FallbackRun(new FallbackPlan(planned, staticAnswer),
                new RoutingInput("chat", List.of(ChatMessage.user("hi")), "caller", check(needs)), new SplittableRandom(3));
    }

    @Test
    void needsAreReadFromTheRequest() {
        ChatMessage image = ChatMessage.builder(Role.USER).parts(List.of(ContentPart.text("what is this?"),
                ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\"}}"))).build();
        GenerationParams params = new GenerationParams(null, null, 100, List.of(), 7L, null, new ResponseFormat("json_object", null),
                null, null, 2, true, 3, Map.of("logit_bias", "{\"50256\":-100}"), "max_tokens");
        RequestNeeds needs = RequestNeeds.of(request(new ToolSpec(List.of(WEATHER), Optional.empty(), Optional.of(false), false),
                params, image), List.of(image));
        assertThat(needs.capabilities()).containsExactlyInAnyOrder(Capability.TOOLS, Capability.VISION, Capability.JSON_OBJECT,
                Capability.LOGPROBS, Capability.MULTIPLE_CHOICES);
        assertThat(needs.parameters()).containsExactlyInAnyOrder("logit_bias", "seed", "parallel_tool_calls");
        assertThat(needs.maxOutputTokens()).isEqualTo(100);
        assertThat(RequestNeeds.of(request(ToolSpec.NONE, GenerationParams.DEFAULTS, ChatMessage.user("hi")), List.of()).capabilities()).isEmpty();
    }

    @Test
    void aTierThatCannotServeIsSkippedWithoutAnAttempt() {
        RequestNeeds needs = new RequestNeeds(Set.of(Capability.TOOLS), 0, 0, Set.of());
        FallbackRun run = run(needs, Optional.empty(), TEXT_ONLY, CAPABLE);
        Step.Attempt attempt = (Step.Attempt) run.start();
        assertThat(attempt.route()).isEqualTo(CAPABLE);
        assertThat(attempt.tier()).isEqualTo(1);
        assertThat(run.failures()).extracting(Failure::kind).containsExactly(FailureKind.UNSUPPORTED);
    }

    @Test
    void whenNoRouteCanServeTheClientGetsA400NamingWhyEvenWithAStaticAnswer() {
        RequestNeeds needs = new RequestNeeds(Set.of(Capability.VISION), 0, 0, Set.of());
        Step step = run(needs, Optional.of("busy"), TEXT_ONLY).start();
        assertThat(step).isInstanceOf(Step.GiveUp.class);
        var error = ((Step.GiveUp) step).error();
        assertThat(error.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(error.param()).isEqualTo("messages");
        assertThat(error.message()).contains("backend 'triton'").contains("image input");
    }

    @Test
    void anUnsupportedParameterIsNamed() {
        RequestNeeds needs = new RequestNeeds(Set.of(), 0, 0, Set.of("seed", "logit_bias"));
        var error = ((Step.GiveUp) run(needs, Optional.empty(), TEXT_ONLY).start()).error();
        assertThat(error.param()).isEqualTo("logit_bias");
        assertThat(error.message()).contains("'logit_bias'");
    }

    @Test
    void aPromptLongerThanTheWindowSkipsTheRoute() {
        RequestNeeds needs = new RequestNeeds(Set.of(), 9000, 0, Set.of());
        assertThat(NO_TOOLS.shortfall(needs, "here")).hasValueSatisfying(s -> assertThat(s.reason()).contains("8192"));
        assertThat(NO_TOOLS.shortfall(needs.withPromptTokens(8000), "here")).isEmpty();
    }

    @Test
    void realFailuresStillDecideTheErrorWhenSomeTiersWereSkipped() {
        RequestNeeds needs = new RequestNeeds(Set.of(Capability.TOOLS), 0, 0, Set.of());
        FallbackRun run = run(needs, Optional.of("busy"), CAPABLE, TEXT_ONLY);
        run.start();
        Step step = run.onFailure(Failure.ofStatus(503, "down", null));
        assertThat(step).isInstanceOf(Step.StaticAnswer.class);
    }

    @Test
    void declaredCapabilitiesOverrideWhatTheBackendTypeSays() {
        ModelCapabilities declared = new ModelCapabilities(Set.of(Capability.TOOLS), Set.of(), 32768, 4096, ParameterSupport.anyBut(List.of("top_k")));
        ModelCapabilities merged = NO_TOOLS.overriddenBy(declared);
        assertThat(merged.supported()).contains(Capability.TOOLS);
        assertThat(merged.unsupported()).containsExactly(Capability.VISION);
        assertThat(merged.contextWindow()).isEqualTo(32768);
        assertThat(merged.parameters().accepts("seed")).isTrue();
        assertThat(merged.parameters().accepts("top_k")).isFalse();
        assertThat(merged.parameters().accepts("min_p")).isFalse();
        assertThat(merged.describe()).containsEntry("tools", true).containsEntry("vision", false).containsEntry("context_window", 32768);
    }

    @Test
    void aTextCompletionNeedsARouteThatSaysItServesThemUnknownIsNotEnough() {
        ChatRequest text = new ChatRequest("m", List.of(ChatMessage.user("Once upon a time")), null, false, false, null, null, true);
        RequestNeeds needs = RequestNeeds.of(text, text.messages());
        assertThat(needs.needsDeclared()).isTrue();
        assertThat(ModelCapabilities.UNKNOWN.canServe(needs)).isFalse();
        assertThat(ModelCapabilities.UNKNOWN.shortfall(needs, "backend 'b'")).hasValueSatisfying(s -> {
            assertThat(s.param()).isEqualTo("prompt");
            assertThat(s.reason()).isEqualTo("backend 'b' does not support raw text prompts ('prompt' of the Completions API)");
        });
        ModelCapabilities serves = new ModelCapabilities(Set.of(Capability.TEXT_COMPLETION), Set.of(), 0, 0, null);
        assertThat(serves.canServe(needs)).isTrue();
        ChatRequest chat = new ChatRequest("m", List.of(ChatMessage.user("hi")), null, false, false);
        assertThat(RequestNeeds.of(chat, chat.messages()).needsDeclared()).isFalse();
        assertThat(ModelCapabilities.UNKNOWN.canServe(RequestNeeds.of(chat, chat.messages()))).isTrue();
    }
}
