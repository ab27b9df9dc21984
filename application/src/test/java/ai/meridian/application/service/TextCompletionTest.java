package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The text-completion mode (the legacy Completions API) in the core: only routes whose backend declares it get such a
 * request (a backend nothing is known of does not), the raw prompts reach the backend as they are, and what the
 * stages add (grounding's sources) goes before each prompt as text.
 */
class TextCompletionTest {
    private static final ModelCapabilities TEXT = new ModelCapabilities(Set.of(Capability.TEXT_COMPLETION), Set.of(), 0, 0, null);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final ScriptedBackend chatOnly = new ScriptedBackend("chat-only");
    private final ScriptedBackend unknown = new ScriptedBackend("unknown");
    private final ScriptedBackend text = new ScriptedBackend("text").withCapabilities(TEXT);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private ChatService service(List<String> tiers, List<ChatStage> stages) {
        List<Tier> planTiers = tiers.stream()
                .map(b -> new Tier(TierRouting.weighted(Routes.of(new Route(b, "m-" + b, 1))), RetryPolicy.NONE)).toList();
        ModelCatalog catalog = new ModelCatalog(List.of(new ModelDefinition("m", List.of(), new FallbackPlan(planTiers, Optional.empty()), "x")));
        chatOnly.withCapabilities(new ModelCapabilities(Set.of(), Set.of(Capability.TEXT_COMPLETION), 0, 0, null));
        return new ChatService(catalog, new BackendRegistry(List.of(chatOnly, unknown, text)), new CountingBreakers(), TelemetryPort.NOOP,
                GatewayMetrics.NOOP, t -> t.length(), scheduler, Clock.systemUTC(), () -> new SplittableRandom(1), stages);
    }

    private static ChatCommand textCommand(List<String> prompts, Integer n) {
        GenerationParams params = new GenerationParams(null, null, 16, List.of(), null, null, null, null, null, n, null, null,
                Map.of("echo", "true"), "max_tokens");
        List<ChatMessage> messages = prompts.stream().map(ChatMessage::user).toList();
        return new ChatCommand(new CallerContext("req-t", "default", "k", null, System.nanoTime()),
                new ChatRequest("m", messages, params, false, false, null, null, true));
    }

    @Test
    void onlyARouteThatDeclaresTextCompletionsIsTried() throws Exception {
        text.answers(" world");
        ChatReply reply = service(List.of("chat-only", "unknown", "text"), List.of()).complete(textCommand(List.of("Hello"), null))
                .get(5, TimeUnit.SECONDS);
        assertThat(reply.completion().content()).isEqualTo(" world");
        assertThat(reply.servedBy().backend()).isEqualTo("text");
        assertThat(chatOnly.calls).isEmpty();
        assertThat(unknown.calls).as("a backend that says nothing of text completions is not sent one").isEmpty();
        BackendCall call = text.calls.get(0);
        assertThat(call.textCompletion()).isTrue();
        assertThat(call.prompts()).containsExactly("Hello");
        assertThat(call.params().extra()).containsEntry("echo", "true");
    }

    @Test
    void withNoRouteThatCanTheClientIsToldWhyNamingThePrompt() {
        var future = service(List.of("chat-only", "unknown"), List.of()).complete(textCommand(List.of("Hello"), null));
        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.error().param()).isEqualTo("prompt");
                    assertThat(e.error().message()).contains("raw text prompts");
                });
    }

    @Test
    void aChatRequestStillGoesWhereverItCould() throws Exception {
        unknown.answers("hi");
        ChatCommand chat = new ChatCommand(new CallerContext("req-c", "default", "k", null, System.nanoTime()),
                new ChatRequest("m", List.of(ChatMessage.user("hi")), null, false, false));
        ChatReply reply = service(List.of("unknown"), List.of()).complete(chat).get(5, TimeUnit.SECONDS);
        assertThat(reply.servedBy().backend()).isEqualTo("unknown");
        assertThat(unknown.calls.get(0).textCompletion()).isFalse();
        assertThat(unknown.calls.get(0).prompts()).isEmpty();
    }

    @Test
    void whatTheStagesAddGoesBeforeEachPromptAsText() throws Exception {
        ChatStage grounding = new ChatStage() {
            @Override
            public java.util.concurrent.CompletableFuture<ChatContext> prepare(ChatContext context) {
                List<ChatMessage> withSources = new java.util.ArrayList<>(context.messages());
                withSources.add(0, ChatMessage.system("[1] Oslo is cold."));
                return java.util.concurrent.CompletableFuture.completedFuture(context.withMessages(withSources));
            }
        };
        text.answers("ok");
        service(List.of("text"), List.of(grounding)).complete(textCommand(List.of("Weather in Oslo:", "Weather in Rome:"), 2))
                .get(5, TimeUnit.SECONDS);
        assertThat(text.calls.get(0).prompts()).containsExactly("[1] Oslo is cold.\n\nWeather in Oslo:", "[1] Oslo is cold.\n\nWeather in Rome:");
    }

    @Test
    void severalPromptsMultiplyTheChoices() {
        ChatRequest request = textCommand(List.of("a", "b", "c"), 2).request();
        assertThat(request.choiceCount()).isEqualTo(6);
        assertThat(ai.meridian.domain.routing.RequestNeeds.of(request, request.messages()).capabilities())
                .contains(Capability.TEXT_COMPLETION, Capability.MULTIPLE_CHOICES);
    }

    @Test
    void aTextCompletionIsPlainUserTextWithoutTools() {
        assertThatThrownBy(() -> new ChatRequest("m", List.of(ChatMessage.system("s")), null, false, false, null, null, true))
                .isInstanceOf(InvalidValueException.class);
    }
}
