package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.CountTokensUseCase;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.tenancy.Action;
import java.util.Objects;

/** Counts a request's prompt with the gateway's tokenizer, for a model it serves and the caller's key may use. */
public final class TokenCountService implements CountTokensUseCase {
    /** What a tool definition costs besides its text: its framing in the prompt. */
    private static final int PER_TOOL = 8;

    private final ModelCatalog catalog;
    private final TokenCounter tokens;

    public TokenCountService(ModelCatalog catalog, TokenCounter tokens) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    @Override
    public int countPromptTokens(CallerContext caller, ChatRequest request) {
        String name = request.model();
        AccessDenied.require(caller, Action.USE_MODELS);
        ModelDefinition model = catalog.resolve(name).orElseThrow(() -> new GatewayException(new GatewayError(ErrorKind.MODEL_NOT_FOUND,
                "The model '" + name + "' does not exist. GET /v1/models lists the models you can use.", "model", null, null)));
        if (!caller.access().mayUseModel(name, model.id())) {
            throw AccessDenied.forbidden("This key may not use the model '" + name + "'.", "model", "model_not_allowed");
        }
        int total = tokens.countMessages(request.messages());
        for (ToolDefinition tool : request.tools().tools()) {
            total += PER_TOOL + tokens.count(tool.name());
            if (tool.description() != null) {
                total += tokens.count(tool.description());
            }
            total += tokens.count(tool.parametersJson() != null ? tool.parametersJson() : tool.json());
        }
        return total;
    }
}
