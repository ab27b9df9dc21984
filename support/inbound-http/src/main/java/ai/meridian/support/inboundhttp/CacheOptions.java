package ai.meridian.support.inboundhttp;

import ai.meridian.application.port.in.CacheDirective;
import ai.meridian.application.port.in.CacheDirective.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a client asks of the response cache, as every HTTP door reads it: the body's {@code cache} field (a Meridian
 * field, never sent to a backend) and the {@code Cache-Control} request header. The policy (what is cacheable, for how
 * long) is the core's; this only translates.
 *
 * <ul>
 *   <li>{@code "cache": true} or {@code "use"}: cache this request even though it samples; {@code false} or
 *       {@code "bypass"}: neither read nor write; {@code "refresh"}: do not read, store the new answer;
 *       {@code "default"}: as configured.</li>
 *   <li>{@code "cache": {"mode": "use", "ttl": 600, "max_age": 60}}: the same, with how long to keep the answer (seconds,
 *       capped by configuration) and how old a cached answer may be (seconds).</li>
 *   <li>{@code Cache-Control: no-store} → bypass; {@code no-cache} → refresh; {@code max-age=N} → at most N seconds old
 *       ({@code max-age=0} is a refresh). Other directives are ignored, as HTTP caches do.</li>
 * </ul>
 * Body and header together: the more restrictive mode wins.
 */
public final class CacheOptions {
    /** The body field every door consumes as the gateway's own. */
    public static final String FIELD = "cache";
    private static final Set<String> OBJECT_FIELDS = Set.of("mode", "ttl", "max_age");

    private CacheOptions() {
    }

    /** The body's {@code cache} field and the {@code Cache-Control} header together; a malformed field is a 400 naming it. */
    public static CacheDirective read(JsonNode root, String cacheControl) {
        return body(root.get(FIELD)).and(header(cacheControl));
    }

    static CacheDirective body(JsonNode node) {
        if (node == null || node.isNull()) {
            return CacheDirective.DEFAULT;
        }
        if (node.isBoolean()) {
            return CacheDirective.of(node.booleanValue() ? Mode.USE : Mode.BYPASS);
        }
        if (node.isTextual()) {
            return CacheDirective.of(mode(node.textValue(), FIELD));
        }
        if (!node.isObject()) {
            throw RequestJson.wrongType(FIELD, "a boolean, a string (use, bypass, refresh, default) or an object", node);
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!OBJECT_FIELDS.contains(name)) {
                throw RequestJson.invalidValue(FIELD + "." + name, "Unrecognized field 'cache." + name
                        + "': the cache option takes mode, ttl and max_age.");
            }
        }
        JsonNode modeNode = node.get("mode");
        Mode mode = Mode.DEFAULT;
        if (modeNode != null && !modeNode.isNull()) {
            if (!modeNode.isTextual()) {
                throw RequestJson.wrongType(FIELD + ".mode", "a string (use, bypass, refresh, default)", modeNode);
            }
            mode = mode(modeNode.textValue(), FIELD + ".mode");
        }
        Optional<Duration> ttl = seconds(node, "ttl", 1, CacheDirective.MAX_TTL.toSeconds());
        Optional<Duration> maxAge = seconds(node, "max_age", 0, CacheDirective.MAX_TTL.toSeconds());
        return new CacheDirective(mode, ttl, maxAge);
    }

    private static Mode mode(String value, String param) {
        return Mode.fromWire(value.toLowerCase(Locale.ROOT)).orElseThrow(() -> RequestJson.invalidValue(param,
                "Invalid '" + param + "': '" + (value.length() > 40 ? value.substring(0, 40) + "..." : value)
                        + "' is not one of use, bypass, refresh, default."));
    }

    private static Optional<Duration> seconds(JsonNode parent, String field, long min, long max) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        String param = FIELD + "." + field;
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw RequestJson.wrongType(param, "an integer number of seconds", node);
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw RequestJson.invalidValue(param, "Invalid '" + param + "': " + value + " is not between " + min + " and " + max + " seconds.");
        }
        return Optional.of(Duration.ofSeconds(value));
    }

    /** {@code Cache-Control} of the request: {@code no-store}, {@code no-cache}, {@code max-age=N}; anything else is ignored. */
    static CacheDirective header(String value) {
        if (value == null || value.isBlank()) {
            return CacheDirective.DEFAULT;
        }
        Mode mode = Mode.DEFAULT;
        Optional<Duration> maxAge = Optional.empty();
        for (String part : value.split(",")) {
            String directive = part.trim().toLowerCase(Locale.ROOT);
            if (directive.equals("no-store")) {
                mode = Mode.BYPASS;
            } else if (directive.equals("no-cache") && mode != Mode.BYPASS) {
                mode = Mode.REFRESH;
            } else if (directive.startsWith("max-age=")) {
                try {
                    long seconds = Long.parseLong(directive.substring("max-age=".length()).trim().replace("\"", ""));
                    if (seconds == 0 && mode == Mode.DEFAULT) {
                        mode = Mode.REFRESH;
                    } else if (seconds > 0) {
                        maxAge = Optional.of(Duration.ofSeconds(Math.min(seconds, CacheDirective.MAX_TTL.toSeconds())));
                    }
                } catch (NumberFormatException e) {
                    // A malformed max-age is ignored, as HTTP caches ignore directives they cannot read.
                }
            }
        }
        return new CacheDirective(mode, Optional.empty(), maxAge);
    }
}
