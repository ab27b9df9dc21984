package ai.meridian.domain.routing;

import java.nio.charset.StandardCharsets;

/** A hash that is the same on every replica and every restart (unlike {@code String.hashCode} salts). */
public final class StableHash {
    private StableHash() {
    }

    /** 64-bit FNV-1a over UTF-8, then a murmur-style finaliser so nearby keys spread out. */
    public static long hash64(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    public static int bucket(String key, int buckets) {
        return (int) Math.floorMod(hash64(key), (long) buckets);
    }
}
