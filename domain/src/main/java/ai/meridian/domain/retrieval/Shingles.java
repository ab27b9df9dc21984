package ai.meridian.domain.retrieval;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The set of word 3-grams of a text, for near-duplicate detection by Jaccard similarity. Words are
 * Latin-script words after NFKC normalisation and lower-casing; each CJK character is a word of its own, so
 * Chinese text (written without spaces) is compared by character 3-grams. Punctuation and spacing are
 * ignored, so the same article reformatted, or quoted with different punctuation, still matches.
 */
public final class Shingles {
    static final int SIZE = 3;

    private final Set<Long> hashes;

    private Shingles(Set<Long> hashes) {
        this.hashes = hashes;
    }

    public static Shingles of(String text) {
        List<String> words = words(text);
        Set<Long> hashes = new HashSet<>();
        if (words.size() < SIZE) {
            if (!words.isEmpty()) {
                hashes.add(hash(String.join(" ", words)));
            }
            return new Shingles(hashes);
        }
        for (int i = 0; i + SIZE <= words.size(); i++) {
            hashes.add(hash(words.get(i) + ' ' + words.get(i + 1) + ' ' + words.get(i + 2)));
        }
        return new Shingles(hashes);
    }

    /** |A ∩ B| / |A ∪ B|; two empty texts are not similar. */
    public double jaccard(Shingles other) {
        if (hashes.isEmpty() || other.hashes.isEmpty()) {
            return 0;
        }
        Set<Long> small = hashes.size() <= other.hashes.size() ? hashes : other.hashes;
        Set<Long> large = small == hashes ? other.hashes : hashes;
        int common = 0;
        for (Long h : small) {
            if (large.contains(h)) {
                common++;
            }
        }
        return (double) common / (hashes.size() + other.hashes.size() - common);
    }

    /**
     * The share of the smaller text's shingles the larger contains: catches a passage that is an excerpt
     * of another (a snippet and the page it came from), which Jaccard undervalues.
     */
    public double containment(Shingles other) {
        if (hashes.isEmpty() || other.hashes.isEmpty()) {
            return 0;
        }
        Set<Long> small = hashes.size() <= other.hashes.size() ? hashes : other.hashes;
        Set<Long> large = small == hashes ? other.hashes : hashes;
        int common = 0;
        for (Long h : small) {
            if (large.contains(h)) {
                common++;
            }
        }
        return (double) common / small.size();
    }

    public int size() {
        return hashes.size();
    }

    static List<String> words(String text) {
        String normal = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < normal.length(); ) {
            int cp = normal.codePointAt(i);
            i += Character.charCount(cp);
            if (Language.isCjk(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
            } else if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else {
                flush(word, words);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** 64-bit FNV-1a: stable across runs and JVMs, unlike String.hashCode's 32 bits which collide sooner. */
    private static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
