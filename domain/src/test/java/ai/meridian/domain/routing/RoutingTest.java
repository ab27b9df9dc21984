package ai.meridian.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.ChatMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private static final Route SMALL = new Route("vllm-small", "qwen-1.5b", 1);
    private static final Route LARGE = new Route("vllm-large", "qwen-7b", 1);
    private static final Route CANARY = new Route("vllm-next", "qwen-7b-v2", 1);

    /** Pinned: changing the hash would move every caller between canary and main routes. */
    private static final long MERIDIAN_HASH = -1321131764768491045L;

    private static RoutingInput input(String caller, String prompt) {
        return new RoutingInput("chat", List.of(ChatMessage.user(prompt)), caller);
    }

    @Test
    void weightedChoiceFollowsTheWeights() {
        Routes routes = new Routes(List.of(new Route("a", "m", 3), new Route("b", "m", 1)));
        SplittableRandom random = new SplittableRandom(7);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 40_000; i++) {
            counts.merge(routes.pick(random).backend(), 1, Integer::sum);
        }
        assertThat(counts.get("a") / 40_000.0).isBetween(0.73, 0.77);
        assertThat(counts.get("b") / 40_000.0).isBetween(0.23, 0.27);
    }

    @Test
    void zeroWeightRouteIsNeverPicked() {
        Routes routes = new Routes(List.of(new Route("a", "m", 0), new Route("b", "m", 5)));
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(routes.pick(random).backend()).isEqualTo("b");
        }
    }

    @Test
    void routesNeedPositiveTotalWeight() {
        assertThatThrownBy(() -> new Routes(List.of(new Route("a", "m", 0)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Routes(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Route("a", "m", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void canaryTakesAStableShareOfCallers() {
        TierRouting routing = new TierRouting(Routes.of(LARGE), Optional.empty(),
                Optional.of(new CanarySplit(20, Routes.of(CANARY))));
        SplittableRandom random = new SplittableRandom(3);
        int canary = 0;
        for (int caller = 0; caller < 10_000; caller++) {
            RoutingDecision first = routing.choose(input("user-" + caller, "hi"), random).orElseThrow();
            RoutingDecision again = routing.choose(input("user-" + caller, "hi"), random).orElseThrow();
            assertThat(again.route()).as("same caller, same route").isEqualTo(first.route());
            if (first.reason().equals("canary")) {
                canary++;
            }
        }
        assertThat(canary / 10_000.0).isBetween(0.18, 0.22);
    }

    @Test
    void stableHashDoesNotDependOnTheJvm() {
        // Fixed values: a replica on another JVM or after a restart must place callers identically.
        assertThat(StableHash.bucket("chat\u0000alice", 100)).isEqualTo(StableHash.bucket("chat\u0000alice", 100));
        assertThat(StableHash.hash64("")).isEqualTo(StableHash.hash64(""));
        assertThat(StableHash.hash64("a")).isNotEqualTo(StableHash.hash64("b"));
        assertThat(StableHash.hash64("meridian")).isEqualTo(MERIDIAN_HASH);
    }

    @Test
    void simplePromptsGoToTheSmallModelAndComplexOnesToTheLarge() {
        TierRouting routing = new TierRouting(Routes.of(LARGE),
                Optional.of(new ComplexitySplit(ComplexityRule.DEFAULT, Routes.of(SMALL))), Optional.empty());
        SplittableRandom random = new SplittableRandom(5);
        assertThat(routing.choose(input("u", "What is the capital of France?"), random).orElseThrow())
                .isEqualTo(new RoutingDecision(SMALL, "simple"));
        assertThat(routing.choose(input("u", "今天天气怎么样"), random).orElseThrow().route()).isEqualTo(SMALL);
        assertThat(routing.choose(input("u", "Explain how TCP congestion control works"), random).orElseThrow())
                .isEqualTo(new RoutingDecision(LARGE, "complex"));
        assertThat(routing.choose(input("u", "Fix this:\n```java\nint x = 1\n```"), random).orElseThrow().route()).isEqualTo(LARGE);
        assertThat(routing.choose(input("u", "请分析一下这段代码的性能"), random).orElseThrow().route()).isEqualTo(LARGE);
        assertThat(routing.choose(input("u", "x".repeat(201)), random).orElseThrow().route()).isEqualTo(LARGE);
    }

    @Test
    void hanCharactersWeighDouble() {
        ComplexityRule rule = new ComplexityRule(10, 6, List.of());
        assertThat(rule.classify(List.of(ChatMessage.user("你好你好你")))).isEqualTo(Complexity.SIMPLE);
        assertThat(rule.classify(List.of(ChatMessage.user("你好你好你好")))).isEqualTo(Complexity.COMPLEX);
    }

    @Test
    void longConversationsCountAsComplex() {
        ComplexityRule rule = new ComplexityRule(200, 2, List.of());
        List<ChatMessage> three = List.of(ChatMessage.user("a"), ChatMessage.assistant("b"), ChatMessage.user("c"),
                ChatMessage.assistant("d"), ChatMessage.user("e"));
        assertThat(rule.classify(three)).isEqualTo(Complexity.COMPLEX);
        assertThat(rule.classify(three.subList(0, 3))).isEqualTo(Complexity.SIMPLE);
    }

    @Test
    void catalogResolvesAliasesAndRefusesClashes() {
        var plan = ai.meridian.domain.fallback.FallbackPlan.of(new ai.meridian.domain.fallback.Tier(
                TierRouting.weighted(Routes.of(LARGE)), ai.meridian.domain.fallback.RetryPolicy.NONE));
        ModelCatalog catalog = new ModelCatalog(List.of(new ModelDefinition("deepseek-chat", List.of("ds"), plan, null)));
        assertThat(catalog.resolve("ds")).map(ModelDefinition::id).contains("deepseek-chat");
        assertThat(catalog.resolve("gpt-4")).isEmpty();
        assertThat(catalog.names()).containsExactly("deepseek-chat", "ds");
        assertThatThrownBy(() -> new ModelCatalog(List.of(
                new ModelDefinition("a", List.of("shared"), plan, null),
                new ModelDefinition("b", List.of("shared"), plan, null))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shared");
        assertThatThrownBy(() -> new ModelCatalog(List.of(
                new ModelDefinition("a", List.of(), plan, null), new ModelDefinition("a", List.of(), plan, null))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
