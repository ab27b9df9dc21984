package ai.meridian.testkit;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link LoopbackHttpServer} answers to one request, including the faults a client must survive: a delay
 * before the head, a body dripped a few bytes at a time, an endless body, a reset connection, bytes that are
 * not HTTP at all.
 */
public record HttpReply(int status, Map<String, String> headers, byte[] body, Duration delay, int dripBytes, Duration dripInterval,
                        boolean endless, boolean reset, byte[] raw) {

    public HttpReply {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    public static HttpReply of(int status, String contentType, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (contentType != null) {
            headers.put("content-type", contentType);
        }
        return new HttpReply(status, headers, body, Duration.ZERO, 0, Duration.ZERO, false, false, null);
    }

    public static HttpReply json(int status, String json) {
        return of(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply html(String html) {
        return of(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    /** HTML in another charset; {@code contentType} may or may not declare it. */
    public static HttpReply html(String html, Charset charset, String contentType) {
        return of(200, contentType, html.getBytes(charset));
    }

    public static HttpReply text(int status, String contentType, String text) {
        return of(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply redirect(int status, String location) {
        return of(status, null, new byte[0]).withHeader("location", location);
    }

    /** A 200 whose body never ends: filler is written until the client goes away. */
    public static HttpReply endless(String contentType) {
        return new HttpReply(200, Map.of("content-type", contentType), new byte[0], Duration.ZERO, 0, Duration.ZERO, true, false, null);
    }

    /** The connection is reset as soon as the request is read. */
    public static HttpReply resetConnection() {
        return new HttpReply(200, Map.of(), new byte[0], Duration.ZERO, 0, Duration.ZERO, false, true, null);
    }

    /** These bytes are written as they are, then the connection is closed. */
    public static HttpReply rawBytes(byte[] raw) {
        return new HttpReply(200, Map.of(), new byte[0], Duration.ZERO, 0, Duration.ZERO, false, false, raw);
    }

    public HttpReply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name.toLowerCase(java.util.Locale.ROOT), value);
        return new HttpReply(status, more, body, delay, dripBytes, dripInterval, endless, reset, raw);
    }

    /** Waits this long before sending anything. */
    public HttpReply delayedBy(Duration wait) {
        return new HttpReply(status, headers, body, wait, dripBytes, dripInterval, endless, reset, raw);
    }

    /** Sends the body {@code bytes} at a time, pausing {@code interval} between pieces. */
    public HttpReply dripping(int bytes, Duration interval) {
        return new HttpReply(status, headers, body, delay, bytes, interval, endless, reset, raw);
    }
}
