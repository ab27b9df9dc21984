package ai.meridian.adapter.out.triton;

import java.util.concurrent.ThreadLocalRandom;

/** Ids for the tool calls a Triton model makes, in OpenAI's form: {@code call_} and 24 letters and digits. */
final class CallIds {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private CallIds() {
    }

    static String next() {
        char[] id = new char[29];
        "call_".getChars(0, 5, id, 0);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 5; i < id.length; i++) {
            id[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(id);
    }
}
