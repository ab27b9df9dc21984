package ai.meridian.application.port.in;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a client asks of the response cache for one request, from the body's {@code cache} option or the
 * {@code Cache-Control} header: {@code DEFAULT} (cached when the request is deterministic and caching is on for the
 * model and tenant), {@code USE} (cache it even though it samples), {@code BYPASS} (neither read nor write),
 * {@code REFRESH} (do not read, store the new answer); how long to keep the answer ({@code ttl}, capped by
 * configuration), and how old a cached answer may be at most ({@code maxAge}, from {@code Cache-Control: max-age}).
 */
public record CacheDirective(Mode mode, Optional<Duration> ttl, Optional<Duration> maxAge) {
    public static final CacheDirective DEFAULT = new CacheDirective(Mode.DEFAULT, Optional.empty(), Optional.empty());
    /** The longest {@code ttl} a request may name (configuration caps it further). */
    public static final Duration MAX_TTL = Duration.ofDays(30);

    public enum Mode {
        DEFAULT, USE, REFRESH, BYPASS;

        /** The wire name ({@code use}, {@code bypass}, {@code refresh}); empty for DEFAULT. */
        public String wireName() {
            return this == DEFAULT ? "" : name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Optional<Mode> fromWire(String value) {
            return switch (value) {
                case "use" -> Optional.of(USE);
                case "bypass" -> Optional.of(BYPASS);
                case "refresh" -> Optional.of(REFRESH);
                case "default" -> Optional.of(DEFAULT);
                default -> Optional.empty();
            };
        }
    }

    public CacheDirective {
        Objects.requireNonNull(mode, "mode");
        ttl = ttl == null ? Optional.empty() : ttl;
        maxAge = maxAge == null ? Optional.empty() : maxAge;
        ttl.ifPresent(t -> {
            if (t.isNegative() || t.isZero() || t.compareTo(MAX_TTL) > 0) {
                throw new IllegalArgumentException("a cache ttl is between 1 second and " + MAX_TTL.toDays() + " days");
            }
        });
        maxAge.ifPresent(a -> {
            if (a.isNegative()) {
                throw new IllegalArgumentException("max-age must not be negative");
            }
        });
    }

    public static CacheDirective of(Mode mode) {
        return mode == Mode.DEFAULT ? DEFAULT : new CacheDirective(mode, Optional.empty(), Optional.empty());
    }

    /** True when the client said nothing about caching. */
    public boolean isDefault() {
        return mode == Mode.DEFAULT && ttl.isEmpty() && maxAge.isEmpty();
    }

    /**
     * This directive with another source's (the header's) added: an explicit mode wins over DEFAULT, and of two
     * explicit modes the more restrictive one (bypass, then refresh, then use); ttl and max-age from whichever has them.
     */
    public CacheDirective and(CacheDirective other) {
        Mode combined = mode.ordinal() >= other.mode.ordinal() ? mode : other.mode; // declared least to most restrictive
        return new CacheDirective(combined, ttl.or(other::ttl), maxAge.isPresent() && other.maxAge.isPresent()
                ? Optional.of(maxAge.get().compareTo(other.maxAge.get()) <= 0 ? maxAge.get() : other.maxAge.get())
                : maxAge.or(other::maxAge));
    }
}
