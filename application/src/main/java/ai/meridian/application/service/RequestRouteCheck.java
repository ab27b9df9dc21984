package ai.meridian.application.service;

import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.RequestNeeds;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.RouteCheck;
import ai.meridian.domain.routing.Shortfall;
import java.util.List;
import java.util.Optional;

/**
 * Whether a route can serve one request, from what the request needs and what the route's model can do on
 * its backend. The prompt is counted only when some route has a known context window, and then once.
 */
final class RequestRouteCheck implements RouteCheck {
    private final BackendRegistry backends;
    private final RequestNeeds needs;
    private final TokenCounter tokens;
    private final List<ChatMessage> messages;
    private RequestNeeds sized;

    RequestRouteCheck(BackendRegistry backends, RequestNeeds needs, TokenCounter tokens, List<ChatMessage> messages) {
        this.backends = backends;
        this.needs = needs;
        this.tokens = tokens;
        this.messages = messages;
    }

    @Override
    public Optional<Shortfall> shortfall(Route route) {
        ModelCapabilities capabilities = backends.capabilities(route);
        if (capabilities == ModelCapabilities.UNKNOWN) {
            return Optional.empty();
        }
        String where = "backend '" + route.backend() + "' (model '" + route.upstreamModel() + "')";
        return capabilities.shortfall(capabilities.contextWindow() > 0 ? sized() : needs, where);
    }

    private RequestNeeds sized() {
        if (sized == null) {
            sized = needs.withPromptTokens(tokens.countMessages(messages));
        }
        return sized;
    }
}
