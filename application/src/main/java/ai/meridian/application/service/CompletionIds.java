package ai.meridian.application.service;

import java.util.concurrent.ThreadLocalRandom;

/** OpenAI-style completion ids: {@code chatcmpl-} and 24 random alphanumerics. */
final class CompletionIds {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private CompletionIds() {
    }

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] id = new char[9 + 24];
        "chatcmpl-".getChars(0, 9, id, 0);
        for (int i = 9; i < id.length; i++) {
            id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
