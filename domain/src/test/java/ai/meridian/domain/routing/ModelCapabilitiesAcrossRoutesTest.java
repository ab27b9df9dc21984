package ai.meridian.domain.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelCapabilitiesAcrossRoutesTest {
    private static ModelCapabilities of(Set<Capability> yes, Set<Capability> no, int window, int output) {
        return new ModelCapabilities(yes, no, window, output, ModelCapabilities.ParameterSupport.ANY);
    }

    @Test
    void aModelCanDoWhatOneOfItsRoutesCanAndCannotWhatNoneCan() {
        ModelCapabilities triton = of(Set.of(Capability.TOOLS), Set.of(Capability.VISION, Capability.LOGPROBS), 32768, 8192);
        ModelCapabilities extractive = of(Set.of(), Set.of(Capability.TOOLS, Capability.VISION, Capability.LOGPROBS), 1_000_000, 4096);
        ModelCapabilities both = ModelCapabilities.acrossRoutes(List.of(triton, extractive));
        assertThat(both.describe()).containsEntry("tools", true).containsEntry("vision", false).containsEntry("logprobs", false)
                .containsEntry("context_window", 1_000_000).containsEntry("max_output_tokens", 8192);
        ModelCapabilities withUnknown = ModelCapabilities.acrossRoutes(List.of(triton, ModelCapabilities.UNKNOWN));
        assertThat(withUnknown.describe()).as("an unknown route could do anything, and its window is unknown")
                .containsOnly(java.util.Map.entry("tools", true));
        assertThat(ModelCapabilities.acrossRoutes(List.of())).isSameAs(ModelCapabilities.UNKNOWN);
        assertThat(ModelCapabilities.UNKNOWN.knowsNothing()).isTrue();
        assertThat(triton.knowsNothing()).isFalse();
    }

    @Test
    void canServeDecidesExactlyWhatShortfallExplains() {
        ModelCapabilities model = new ModelCapabilities(Set.of(), Set.of(Capability.TOOLS), 1000, 100,
                ModelCapabilities.ParameterSupport.only(List.of("seed")));
        List<RequestNeeds> cases = List.of(RequestNeeds.NOTHING,
                new RequestNeeds(Set.of(Capability.TOOLS), 0, 0, Set.of()),
                new RequestNeeds(Set.of(Capability.VISION), 0, 0, Set.of()),
                new RequestNeeds(Set.of(), 0, 0, Set.of("seed")),
                new RequestNeeds(Set.of(), 0, 0, Set.of("top_k")),
                new RequestNeeds(Set.of(), 950, 0, Set.of()),
                new RequestNeeds(Set.of(), 950, 60, Set.of()),
                new RequestNeeds(Set.of(), 0, 101, Set.of()));
        for (RequestNeeds needs : cases) {
            assertThat(model.canServe(needs)).as(needs.toString()).isEqualTo(model.shortfall(needs, "here").isEmpty());
        }
    }
}
