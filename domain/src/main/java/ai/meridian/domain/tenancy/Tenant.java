package ai.meridian.domain.tenancy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A team behind the gateway: everything it stores is filed under its id. A disabled tenant's keys are all
 * refused. {@code corsOrigins} are the browser origins allowed to call with its keys (when CORS is on).
 */
public record Tenant(String id, String name, boolean enabled, List<String> corsOrigins, Instant createdAt, Instant updatedAt) {
    public static final String DEFAULT = "default";
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern ORIGIN = Pattern.compile("(\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)");

    public Tenant {
        id = validId(id);
        name = name == null || name.isBlank() ? id : name.strip();
        if (name.length() > 200) {
            throw new TenancyException("name", "name must be at most 200 characters");
        }
        corsOrigins = List.copyOf(corsOrigins == null ? List.of() : corsOrigins);
        if (corsOrigins.size() > 50) {
            throw new TenancyException("cors_origins", "at most 50 CORS origins per tenant");
        }
        for (String origin : corsOrigins) {
            if (!ORIGIN.matcher(origin).matches()) {
                throw new TenancyException("cors_origins", "'" + origin + "' is not an origin (scheme://host[:port], or *)");
            }
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Tenant ids: 1–63 lower-case letters, digits, '-' and '_', starting with a letter or digit. */
    public static String validId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new TenancyException("id", "a tenant id is 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit");
        }
        return id;
    }

    public boolean allowsOrigin(String origin) {
        return corsOrigins.contains("*") || corsOrigins.contains(origin);
    }
}
