package ai.meridian.adapter.out.extractive;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Splits text into sentences (Chinese and Latin punctuation) and scores sentences against a question by
 * shared terms weighted by rarity: Latin words (lower case, a few stop words dropped) and Han character
 * bigrams, so Chinese works without a segmenter.
 */
final class SentenceScorer {
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "is", "are", "was", "were", "be", "to", "of", "in",
            "on", "for", "and", "or", "with", "what", "which", "who", "how", "why", "when", "does", "do", "did", "it", "its",
            "this", "that", "as", "by", "at", "from", "can", "i", "you", "me", "my", "your", "we", "our", "please", "tell", "about");

    private SentenceScorer() {
    }

    static List<String> sentences(String text) {
        List<String> sentences = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            current.append(c);
            boolean hanEnd = c == '。' || c == '！' || c == '？' || c == '；';
            boolean latinEnd = (c == '.' || c == '!' || c == '?') && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)));
            if (hanEnd || latinEnd || c == '\n') {
                add(sentences, current);
            }
        }
        add(sentences, current);
        return sentences;
    }

    private static void add(List<String> sentences, StringBuilder current) {
        String sentence = current.toString().strip();
        current.setLength(0);
        if (sentence.length() >= 2) {
            sentences.add(sentence);
        }
    }

    static Set<String> terms(String text) {
        String normal = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        Set<String> terms = new HashSet<>();
        StringBuilder word = new StringBuilder();
        int previousHan = -1;
        for (int i = 0; i < normal.length(); ) {
            int cp = normal.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                flush(word, terms);
                if (previousHan >= 0) {
                    terms.add(new String(Character.toChars(previousHan)) + new String(Character.toChars(cp)));
                }
                previousHan = cp;
            } else {
                previousHan = -1;
                if (Character.isLetterOrDigit(cp)) {
                    word.appendCodePoint(cp);
                } else {
                    flush(word, terms);
                }
            }
        }
        flush(word, terms);
        return terms;
    }

    private static void flush(StringBuilder word, Set<String> terms) {
        if (word.length() > 1 && !STOP_WORDS.contains(word.toString())) {
            terms.add(word.toString());
        }
        word.setLength(0);
    }

    /** Inverse document frequency of each term over the given sentences. */
    static Map<String, Double> idf(List<Set<String>> sentenceTerms) {
        Map<String, Integer> df = new HashMap<>();
        for (Set<String> terms : sentenceTerms) {
            terms.forEach(t -> df.merge(t, 1, Integer::sum));
        }
        Map<String, Double> idf = new HashMap<>();
        int n = sentenceTerms.size();
        df.forEach((t, d) -> idf.put(t, Math.log(1 + (n - d + 0.5) / (d + 0.5))));
        return idf;
    }
}
