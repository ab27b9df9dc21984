package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.domain.tenancy.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenCountServiceTest {
    private static final CallerContext OPERATOR = new CallerContext("r", "t", "k", null, 0);
    private final TokenCounter words = text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;
    private final FallbackPlan plan = new FallbackPlan(List.of(new Tier(TierRouting.weighted(Routes.of(new Route("b", "m", 1))), RetryPolicy.NONE)),
            Optional.empty());
    private final TokenCountService service = new TokenCountService(
            new ModelCatalog(List.of(new ModelDefinition("chat", List.of("chat-alias"), plan, null))), words);

    @Test
    void countsMessagesAndToolDefinitions() {
        ChatRequest plain = new ChatRequest("chat-alias", List.of(ChatMessage.system("be brief"), ChatMessage.user("one two three")),
                GenerationParams.DEFAULTS, false, false);
        // 3 for the prompt, 4 per message for its framing, then the words
        assertThat(service.countPromptTokens(OPERATOR, plain)).isEqualTo(3 + 4 + 2 + 4 + 3);
        ToolSpec tools = new ToolSpec(List.of(new ToolDefinition("function", "get_weather", "weather of a city",
                "{\"type\": \"object\"}", "{}")), Optional.empty(), Optional.empty(), false);
        ChatRequest withTools = new ChatRequest("chat", plain.messages(), GenerationParams.DEFAULTS, false, false, null, tools);
        assertThat(service.countPromptTokens(OPERATOR, withTools)).isEqualTo(service.countPromptTokens(OPERATOR, plain) + 8 + 1 + 4 + 2);
    }

    @Test
    void aKeyThatMayNotUseTheModelIsRefused() {
        ChatRequest request = new ChatRequest("chat", List.of(ChatMessage.user("hi")), GenerationParams.DEFAULTS, false, false);
        CallerContext reader = new CallerContext("r", "t", "k", null, 0, java.util.Map.of(),
                new Access(Role.READER, List.of(), List.of(), null, false), "");
        assertThatThrownBy(() -> service.countPromptTokens(reader, request))
                .satisfies(e -> assertThat(((GatewayException) e).error().kind()).isEqualTo(ErrorKind.PERMISSION));
        CallerContext other = new CallerContext("r", "t", "k", null, 0, java.util.Map.of(),
                new Access(Role.MEMBER, List.of("other-model"), List.of(), null, false), "");
        assertThatThrownBy(() -> service.countPromptTokens(other, request))
                .satisfies(e -> assertThat(((GatewayException) e).error().code()).isEqualTo("model_not_allowed"));
    }

    @Test
    void anUnknownModelIsNotFound() {
        ChatRequest request = new ChatRequest("nope", List.of(ChatMessage.user("hi")), GenerationParams.DEFAULTS, false, false);
        assertThatThrownBy(() -> service.countPromptTokens(OPERATOR, request)).isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).error().kind()).isEqualTo(ErrorKind.MODEL_NOT_FOUND));
    }
}
