package ai.meridian.application.port.in;

import ai.meridian.domain.chat.ChatRequest;

/** A client wants to know how many tokens a request's prompt takes before it sends it (Anthropic's count_tokens). */
public interface CountTokensUseCase {

    /**
     * The prompt tokens of {@code request} (its messages and tool definitions) as the gateway's tokenizer counts
     * them: an estimate, the same count the gateway uses for usage a backend does not report. Fails with a
     * {@code GatewayException}: 404 for a model the gateway does not serve, 403 when the caller's key may not use
     * models or this model.
     */
    int countPromptTokens(CallerContext caller, ChatRequest request);
}
