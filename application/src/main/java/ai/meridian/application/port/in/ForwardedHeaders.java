package ai.meridian.application.port.in;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The client request headers an operator lets travel on to backends (the union of every backend's
 * {@code forward-headers}), by lower-case name. Any door hands over its header lookup and puts what
 * {@link #select} returns on the {@link CallerContext}; each backend then sends only the ones its own list
 * names. Headers that carry the gateway's own credentials or the message framing can never be forwarded.
 */
public record ForwardedHeaders(Set<String> names) {
    public static final ForwardedHeaders NONE = new ForwardedHeaders(Set.of());

    /** Never forwarded: the caller's gateway key, hop-by-hop and framing headers, and what the gateway sets itself. */
    public static final Set<String> REFUSED = Set.of("authorization", "proxy-authorization", "cookie", "host", "content-length",
            "content-type", "content-encoding", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
            "expect", "accept", "accept-encoding", "user-agent", "traceparent", "tracestate", "x-request-id");
    private static final int MAX_VALUE_LENGTH = 4096;

    public ForwardedHeaders {
        Set<String> lower = new TreeSet<>();
        for (String name : names) {
            lower.add(check(name));
        }
        names = Set.copyOf(lower);
    }

    /** A header name as configured, checked and in lower case; the error names what is wrong with it. */
    public static String check(String name) {
        String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (!lower.matches("[a-z0-9!#$%&'*+.^_`|~-]+")) {
            throw new IllegalArgumentException("'" + name + "' is not an HTTP header name");
        }
        if (REFUSED.contains(lower)) {
            throw new IllegalArgumentException("'" + name + "' cannot be forwarded (the gateway sets it, or it would leak the caller's gateway credentials)");
        }
        return lower;
    }

    /** The allowed headers the client sent, by lower-case name (a value over 4 KiB is left out). */
    public Map<String, String> select(UnaryOperator<String> header) {
        if (names.isEmpty()) {
            return Map.of();
        }
        Map<String, String> selected = new LinkedHashMap<>();
        for (String name : names) {
            String value = header.apply(name);
            if (value != null && value.length() <= MAX_VALUE_LENGTH) {
                selected.put(name, value);
            }
        }
        return selected;
    }
}
