package ai.meridian.adapter.out.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where Redis is and how to talk to it. {@code url} is a Lettuce URI: {@code redis://[:password@]host:6379/0},
 * {@code rediss://...} for TLS, or {@code redis-sentinel://[:password@]host1:26379,host2:26379/0#mymaster} for
 * Sentinel; {@code clusterUrls} (one or more seed nodes) selects Redis Cluster instead. Every key the gateway
 * writes starts with {@code keyPrefix}. A command not answered within {@code commandTimeout} counts as Redis
 * being down (the caller then degrades), and commands are refused at once while disconnected.
 */
public record RedisSettings(String url, List<String> clusterUrls, String keyPrefix, Duration commandTimeout, Duration connectTimeout) {

    public RedisSettings {
        clusterUrls = List.copyOf(clusterUrls == null ? List.of() : clusterUrls);
        if ((url == null || url.isBlank()) && clusterUrls.isEmpty()) {
            throw new IllegalArgumentException("meridian.redis.url (or meridian.redis.cluster-urls) is required when Redis is used");
        }
        if (url != null && !url.isBlank() && !clusterUrls.isEmpty()) {
            throw new IllegalArgumentException("set meridian.redis.url or meridian.redis.cluster-urls, not both");
        }
        keyPrefix = keyPrefix == null ? "meridian:" : keyPrefix;
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    public static RedisSettings of(String url) {
        return new RedisSettings(url, List.of(), "meridian:", Duration.ofMillis(250), Duration.ofSeconds(2));
    }

    public boolean cluster() {
        return !clusterUrls.isEmpty();
    }

    /** The URL(s) without a password, for logs. */
    public String shown() {
        String all = cluster() ? String.join(",", clusterUrls) : url;
        return all.replaceAll("//[^@/]*@", "//***@");
    }
}
