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
 * its backend. The prompt is counted only when some route has a known context window that a cheap upper bound
 * of the prompt's size does not already fit, and then once.
 */
final class RequestRouteCheck implements RouteCheck {
    private final BackendRegistry backends;
    private final RequestNeeds needs;
    private final TokenCounter tokens;
    private final List<ChatMessage> messages;
    private RequestNeeds sized;
    private int upperBound = -1;

    RequestRouteCheck(BackendRegistry backends, RequestNeeds needs, TokenCounter tokens, List<ChatMessage> messages) {
        this.backends = backends;
        this.needs = needs;
        this.tokens = tokens;
        this.messages = messages;
    }

    @Override
    public Optional<Shortfall> shortfall(Route route) {
        ModelCapabilities capabilities = backends.capabilities(route);
        if (capabilities == ModelCapabilities.UNKNOWN && !needs.needsDeclared()) {
            return Optional.empty();
        }
        RequestNeeds held = capabilities.contextWindow() > 0 ? forWindow(capabilities.contextWindow()) : needs;
        if (capabilities.canServe(held)) {
            return Optional.empty(); // the common case: no message built
        }
        return capabilities.shortfall(held, "backend '" + route.backend() + "' (model '" + route.upstreamModel() + "')");
    }

    /** The needs to hold against a context window: as they are when the prompt surely fits, else with the prompt counted. */
    private RequestNeeds forWindow(int window) {
        if ((long) upperBound() + needs.maxOutputTokens() <= window) {
            return needs;
        }
        return sized();
    }

    /**
     * At least as many tokens as the prompt has, without tokenizing: a token is at least one byte of UTF-8 and a
     * UTF-16 char is at most three, plus the framing {@link TokenCounter#countMessages} adds per message and call.
     */
    private int upperBound() {
        if (upperBound < 0) {
            long bound = 3;
            for (ChatMessage m : messages) {
                bound += 6 + 3L * m.content().length();
                for (ai.meridian.domain.chat.ToolCall call : m.toolCalls()) {
                    bound += 3 + 3L * (call.name().length() + call.arguments().length());
                }
                if (m.functionCall() != null) {
                    bound += 3 + 3L * (m.functionCall().name().length() + m.functionCall().arguments().length());
                }
            }
            upperBound = (int) Math.min(Integer.MAX_VALUE, bound);
        }
        return upperBound;
    }

    private RequestNeeds sized() {
        if (sized == null) {
            sized = needs.withPromptTokens(tokens.countMessages(messages));
        }
        return sized;
    }
}
