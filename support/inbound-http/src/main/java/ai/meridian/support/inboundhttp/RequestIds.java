package ai.meridian.support.inboundhttp;

import io.micronaut.http.HttpRequest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** The request id every response carries: the client's {@code x-request-id} if sane, else a new one. */
public final class RequestIds {
    public static final String HEADER = "x-request-id";
    static final String ATTRIBUTE = "meridian.request-id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String of(HttpRequest<?> request) {
        Object known = request.getAttribute(ATTRIBUTE).orElse(null);
        if (known instanceof String id) {
            return id;
        }
        String id = fromHeader(request.getHeaders().get(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        return id;
    }

    /** The id the client offered in its header if sane, else a new one. */
    public static String fromHeader(String offered) {
        return offered != null && SANE.matcher(offered).matches() ? offered : generate();
    }

    private static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[4 + 24];
        "req_".getChars(0, 4, id, 0);
        for (int i = 4; i < id.length; i++) {
            id[i] = HEX[random.nextInt(16)];
        }
        return new String(id);
    }
}
