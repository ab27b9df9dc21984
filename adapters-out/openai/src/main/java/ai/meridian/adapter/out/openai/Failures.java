package ai.meridian.adapter.out.openai;

import ai.meridian.support.nettyhttp.RetryAfter;
import ai.meridian.support.nettyhttp.UpstreamProtocolException;
import ai.meridian.support.nettyhttp.UpstreamTimeoutException;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/** Classifies what went wrong with an upstream call into the domain's failure kinds. */
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

    /** A non-200 answer: its status classifies it; the body's error message and Retry-After are kept. */
    static Failure ofStatus(int status, HttpHeaders headers, byte[] body, int length, String backend) {
        String detail = null;
        if (length > 0) {
            try {
                detail = OpenAiWire.read(body, 0, length).errorMessage;
            } catch (IOException | RuntimeException notJson) {
                detail = new String(body, 0, Math.min(length, 300), java.nio.charset.StandardCharsets.UTF_8).strip();
            }
        }
        String message = "backend " + backend + " answered HTTP " + status + (detail == null || detail.isBlank() ? "" : ": " + truncate(detail));
        return Failure.ofStatus(status, message, RetryAfter.of(headers));
    }

    private static String truncate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
