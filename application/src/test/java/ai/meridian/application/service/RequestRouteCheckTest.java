package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.RequestNeeds;
import ai.meridian.domain.routing.Route;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RequestRouteCheckTest {
    /** Counts words, and how often it was asked. */
    private static final class CountingTokens implements TokenCounter {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public int count(String text) {
            calls.incrementAndGet();
            return text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }
    }

    private static ModelBackend windowed(String id, int window) {
        ModelCapabilities capabilities = new ModelCapabilities(Set.of(), Set.of(), window, 0, ModelCapabilities.ParameterSupport.ANY);
        return new ModelBackend() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public CompletableFuture<Completion> complete(BackendCall call) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Cancellable stream(BackendCall call, BackendStreamListener listener) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ModelCapabilities capabilities(String upstreamModel) {
                return capabilities;
            }
        };
    }

    @Test
    void aPromptThatSurelyFitsIsNotTokenizedAndOneThatMightNotIsCountedOnce() {
        BackendRegistry backends = new BackendRegistry(List.of(windowed("big", 1_048_576), windowed("small", 300)));
        CountingTokens tokens = new CountingTokens();
        List<ChatMessage> shortPrompt = List.of(ChatMessage.user("What is the capital of Portugal?"));
        RequestRouteCheck check = new RequestRouteCheck(backends, RequestNeeds.NOTHING, tokens, shortPrompt);
        assertThat(check.shortfall(new Route("big", "m", 1))).isEmpty();
        assertThat(check.shortfall(new Route("small", "m", 1))).isEmpty();
        assertThat(tokens.calls).as("3 bytes a char bound the prompt well under both windows").hasValue(0);

        List<ChatMessage> longPrompt = List.of(ChatMessage.user("word ".repeat(400)));
        RequestRouteCheck longCheck = new RequestRouteCheck(backends, RequestNeeds.NOTHING, tokens, longPrompt);
        assertThat(longCheck.shortfall(new Route("big", "m", 1))).isEmpty();
        assertThat(tokens.calls).hasValue(0);
        assertThat(longCheck.shortfall(new Route("small", "m", 1))).hasValueSatisfying(s -> {
            assertThat(s.param()).isEqualTo("messages");
            assertThat(s.reason()).contains("context window of 300 tokens");
        });
        assertThat(longCheck.shortfall(new Route("small", "m", 1))).isPresent();
        assertThat(tokens.calls).as("counted once for the request").hasValue(1);
    }
}
