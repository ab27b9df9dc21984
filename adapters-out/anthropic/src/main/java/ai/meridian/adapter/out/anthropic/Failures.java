package ai.meridian.adapter.out.anthropic;

import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.support.nettyhttp.RetryAfter;
import ai.meridian.support.nettyhttp.UpstreamProtocolException;
import ai.meridian.support.nettyhttp.UpstreamTimeoutException;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Classifies what went wrong with a Messages API call, the same way the OpenAI-compatible backend does for
 * transport failures and statuses, plus Anthropic's own: {@code 529 overloaded_error} is the upstream's trouble
 * (moves on), {@code 402 billing_error} the gateway's account (moves on, like a rejected key), and an
 * {@code error} event in a stream is classified by its {@code error.type}.
 */
final class Failures {
    private Failures() {
    }

    static Failure of(Throwable cause, boolean afterHead, String backend) {
        String where = "backend " + backend + ": ";
        if (cause instanceof UpstreamTimeoutException) {
            return Failure.of(FailureKind.TIMEOUT, where + cause.getMessage());
        }
        if (cause instanceof ConnectTimeoutException) {
            return Failure.of(FailureKind.TIMEOUT, where + "connect timeout");
        }
        if (cause instanceof UpstreamProtocolException) {
            return Failure.of(FailureKind.PROTOCOL_ERROR, where + cause.getMessage());
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException) {
            return Failure.of(FailureKind.CONNECT, where + "cannot connect: " + cause.getMessage());
        }
        if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
            return Failure.of(FailureKind.CONNECT, where + "TLS failed: " + cause.getMessage());
        }
        if (cause instanceof IOException) {
            return Failure.of(afterHead ? FailureKind.STREAM_CUT : FailureKind.CONNECT, where + cause.getMessage());
        }
        return Failure.of(FailureKind.PROTOCOL_ERROR, where + cause);
    }

    /** A non-200 answer: its status classifies it; the body's error type and message and Retry-After are kept. */
    static Failure ofStatus(int status, HttpHeaders headers, byte[] body, int length, String backend) {
        String detail = null;
        if (length > 0) {
            try {
                AnthropicWire.Message error = AnthropicWire.readMessage(body, length);
                if (error.errorMessage != null) {
                    detail = error.errorType == null ? error.errorMessage : error.errorType + ": " + error.errorMessage;
                }
            } catch (IOException | RuntimeException notJson) {
                detail = new String(body, 0, Math.min(length, 300), StandardCharsets.UTF_8).strip();
            }
        }
        String message = "backend " + backend + " answered HTTP " + status + (detail == null || detail.isBlank() ? "" : ": " + truncate(detail));
        FailureKind kind = status == 402 ? FailureKind.BACKEND_REJECTED : FailureKind.ofHttpStatus(status);
        return new Failure(kind, message, status, Optional.ofNullable(RetryAfter.of(headers)));
    }

    /** An {@code error} event in the middle of a stream (or an error object in a 200 body). */
    static Failure ofErrorType(String type, String message, String backend) {
        FailureKind kind;
        switch (type == null ? "" : type) {
            case "rate_limit_error":
                kind = FailureKind.RATE_LIMITED;
                break;
            case "timeout_error":
                kind = FailureKind.TIMEOUT;
                break;
            case "invalid_request_error":
            case "request_too_large":
                kind = FailureKind.CLIENT_ERROR;
                break;
            case "authentication_error":
            case "permission_error":
            case "not_found_error":
            case "billing_error":
                kind = FailureKind.BACKEND_REJECTED;
                break;
            default:
                kind = FailureKind.SERVER_ERROR; // overloaded_error, api_error and anything new
        }
        return Failure.of(kind, "backend " + backend + " sent an error: " + (type == null ? "" : type + ": ")
                + truncate(message == null ? "(no message)" : message));
    }

    private static String truncate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
