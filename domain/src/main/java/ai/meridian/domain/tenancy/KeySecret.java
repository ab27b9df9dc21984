package ai.meridian.domain.tenancy;

import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The secret a client presents: {@code sk-mer-<id>_<secret>}, where the 12-character id (lower-case letters
 * and digits) names the key and may be shown and logged, and the 40-character secret (letters and digits)
 * is shown once and never stored. Parsing is strict and cheap: anything else is not a Meridian key.
 */
public record KeySecret(String id, String secret) {
    public static final String PREFIX = "sk-mer-";
    public static final int ID_LENGTH = 12;
    public static final int SECRET_LENGTH = 40;
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int LENGTH = PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH;

    public KeySecret {
        if (!validId(id)) {
            throw new TenancyException("id", "a key id is " + ID_LENGTH + " lower-case letters or digits");
        }
        if (secret == null || secret.length() != SECRET_LENGTH || !only(secret, SECRET_ALPHABET)) {
            throw new TenancyException("secret", "a key secret is " + SECRET_LENGTH + " letters or digits");
        }
    }

    /** A new key: id and secret from {@code random} (a {@code SecureRandom} in production). */
    public static KeySecret generate(RandomGenerator random) {
        return new KeySecret(draw(random, ID_ALPHABET, ID_LENGTH), draw(random, SECRET_ALPHABET, SECRET_LENGTH));
    }

    /** A new secret for an existing key id (rotation). */
    public static KeySecret rotate(String id, RandomGenerator random) {
        return new KeySecret(id, draw(random, SECRET_ALPHABET, SECRET_LENGTH));
    }

    /** The key a token stands for, if it has exactly the shape of one. */
    public static Optional<KeySecret> parse(String token) {
        if (token == null || token.length() != LENGTH || !token.startsWith(PREFIX) || token.charAt(PREFIX.length() + ID_LENGTH) != '_') {
            return Optional.empty();
        }
        String id = token.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
        String secret = token.substring(PREFIX.length() + ID_LENGTH + 1);
        if (!validId(id) || !only(secret, SECRET_ALPHABET)) {
            return Optional.empty();
        }
        return Optional.of(new KeySecret(id, secret));
    }

    /** True when the token looks like a Meridian key at all (its prefix), whether or not it is well formed. */
    public static boolean looksLikeKey(String token) {
        return token != null && token.startsWith(PREFIX);
    }

    public static boolean validId(String id) {
        return id != null && id.length() == ID_LENGTH && only(id, ID_ALPHABET);
    }

    /** What the client sends. */
    public String token() {
        return PREFIX + id + "_" + secret;
    }

    /** The part that may be shown: {@code sk-mer-<id>}. */
    public String displayPrefix() {
        return PREFIX + id;
    }

    @Override
    public String toString() {
        return displayPrefix() + "_…"; // never the secret, not even in a log line
    }

    private static boolean only(String s, String alphabet) {
        for (int i = 0; i < s.length(); i++) {
            if (alphabet.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String draw(RandomGenerator random, String alphabet, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(out);
    }
}
