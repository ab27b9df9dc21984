package ai.meridian.adapter.in.anthropic;

import ai.meridian.domain.error.GatewayError;

/**
 * The gateway's errors in Anthropic's terms: 400 {@code invalid_request_error} (also the type of other 4xx without
 * one of their own: 405, 409, 415, which keep their status), 401 {@code authentication_error}, 403 {@code permission_error}, 404
 * {@code not_found_error}, 413 {@code request_too_large}, 429 {@code rate_limit_error}, 500 {@code api_error}, 504
 * {@code timeout_error}; and 529 {@code overloaded_error} for the two ways the gateway is temporarily unable to
 * answer: 502 (no backend produced an answer: every tier failed with 5xx, resets, cut streams or garbage) and 503
 * (every circuit open, or the conversation store unavailable). Both are worth retrying later, which is what
 * Anthropic's clients (Claude Code, the SDKs) do with a 529.
 */
final class AnthropicErrors {
    static final int OVERLOADED = 529;

    private AnthropicErrors() {
    }

    static int status(GatewayError error) {
        int status = error.httpStatus();
        switch (status) {
            case 400:
            case 401:
            case 403:
            case 404:
            case 413:
            case 429:
            case 500:
            case 504:
                return status;
            case 502:
            case 503:
                return OVERLOADED;
            default:
                // other 4xx (405, 409, 415) keep their status as invalid_request_error; other 5xx are api_error
                return status >= 500 ? 500 : status;
        }
    }

    static String type(GatewayError error) {
        switch (status(error)) {
            case 401:
                return "authentication_error";
            case 403:
                return "permission_error";
            case 404:
                return "not_found_error";
            case 413:
                return "request_too_large";
            case 429:
                return "rate_limit_error";
            case 500:
                return "api_error";
            case 504:
                return "timeout_error";
            case OVERLOADED:
                return "overloaded_error";
            default:
                return "invalid_request_error";
        }
    }
}
