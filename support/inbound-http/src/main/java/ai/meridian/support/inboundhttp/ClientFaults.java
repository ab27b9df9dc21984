package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;

/**
 * Failures the framework raises while reading a malformed request body, which are the client's fault and
 * get a 400 in OpenAI's shape instead of a 500: a body whose {@code Content-Encoding} (gzip, deflate, ...)
 * does not decode, a multipart body that cannot be parsed. The message says what was wrong without the
 * decoder's internals (those are logged at DEBUG with the request id).
 */
final class ClientFaults {
    private ClientFaults() {
    }

    /** The client-visible error for {@code error}, or null when it is not a malformed-body failure. */
    static GatewayError of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof DecompressionException) {
                return new GatewayError(ErrorKind.INVALID_REQUEST, "The request body could not be decompressed: it does not match its "
                        + "Content-Encoding (gzip, deflate, br, zstd or snappy), or it is cut off.", null, "invalid_encoding", null);
            }
            if (cause instanceof HttpPostRequestDecoder.ErrorDataDecoderException
                    || cause instanceof HttpPostRequestDecoder.NotEnoughDataDecoderException
                    || cause instanceof HttpPostRequestDecoder.EndOfDataDecoderException
                    || thrownByMultipartDecoder(cause)) {
                return new GatewayError(ErrorKind.INVALID_REQUEST, "The multipart/form-data body is malformed: every part needs a "
                        + "'Content-Disposition: form-data; name=...' header, parts are separated by the boundary the Content-Type "
                        + "declares, and the body ends with the closing boundary.", null, "invalid_multipart", null);
            }
        }
        return null;
    }

    /**
     * Netty's multipart decoder fails on some malformed bodies with plain runtime exceptions (an empty
     * {@code boundary=} parameter gives a StringIndexOutOfBoundsException): whatever it throws while reading
     * a body is the body's fault.
     */
    private static boolean thrownByMultipartDecoder(Throwable error) {
        StackTraceElement[] frames = error.getStackTrace();
        for (int i = 0; i < Math.min(frames.length, 8); i++) {
            if (frames[i].getClassName().startsWith("io.netty.handler.codec.http.multipart.")) {
                return true;
            }
        }
        return false;
    }
}
