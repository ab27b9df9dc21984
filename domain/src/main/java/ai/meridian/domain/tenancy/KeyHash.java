package ai.meridian.domain.tenancy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.random.RandomGenerator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What is stored of a key's secret: HMAC-SHA256 over the secret, keyed by the server's pepper and the key's
 * own random salt. Secrets carry 238 bits of randomness, so a fast keyed hash is safe (no password
 * stretching is needed) and cheap enough to check on every request; comparison is constant-time.
 */
public record KeyHash(String salt, String hash) {
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    });

    public KeyHash {
        Objects.requireNonNull(salt, "salt");
        Objects.requireNonNull(hash, "hash");
        if (hash.length() != 64) {
            throw new IllegalArgumentException("a key hash is 32 bytes in hex");
        }
    }

    /** A new salt and the hash of {@code secret} with it. */
    public static KeyHash of(String secret, byte[] pepper, RandomGenerator random) {
        byte[] salt = new byte[16];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) random.nextInt(256);
        }
        String saltHex = HEX.formatHex(salt);
        return new KeyHash(saltHex, HEX.formatHex(mac(pepper, saltHex, secret)));
    }

    /** True when {@code secret} is the one this hash was made from; takes the same time whatever the guess. */
    public boolean matches(String secret, byte[] pepper) {
        byte[] expected = HEX.parseHex(hash);
        return MessageDigest.isEqual(expected, mac(pepper, salt, secret));
    }

    private static byte[] mac(byte[] pepper, String salt, String secret) {
        byte[] saltBytes = salt.getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[pepper.length + 1 + saltBytes.length];
        System.arraycopy(pepper, 0, key, 0, pepper.length);
        key[pepper.length] = ':';
        System.arraycopy(saltBytes, 0, key, pepper.length + 1, saltBytes.length);
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
    }
}
