package ai.meridian.domain.retrieval;

import java.util.function.ToIntFunction;

/** A stand-in token counter for tests: one token per Latin word or number, one per CJK character. */
final class WordCount implements ToIntFunction<String> {
    static final WordCount TOKENS = new WordCount();

    @Override
    public int applyAsInt(String text) {
        return Shingles.words(text).size();
    }
}
