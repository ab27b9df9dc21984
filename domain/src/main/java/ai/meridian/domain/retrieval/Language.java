package ai.meridian.domain.retrieval;

/**
 * The language grounding instructions are written in. Only what is cheap to tell apart reliably: Chinese
 * (Han characters dominate) or English (everything else).
 */
public enum Language {
    ENGLISH, CHINESE;

    /** Chinese when at least a fifth of the text's letters are Han characters, otherwise English. */
    public static Language detect(String text) {
        return hanShare(text) >= 0.2 ? CHINESE : ENGLISH;
    }

    /**
     * Which embedding model reads the text better: Chinese as soon as a tenth of its letters are Han. A passage of a
     * Chinese manual that is mostly a code listing or English terms still carries its Chinese explanation, which the
     * English model cannot read at all; English text practically never has a tenth of its letters in Han.
     */
    public static Language forEmbedding(String text) {
        return hanShare(text) >= 0.1 ? CHINESE : ENGLISH;
    }

    /** The share of the text's letters that are Han characters (0 when it has no letters). */
    static double hanShare(String text) {
        int han = 0;
        int letters = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN) {
                han++;
                letters++;
            } else if (Character.isLetter(cp)) {
                letters++;
            }
        }
        return letters == 0 ? 0 : (double) han / letters;
    }

    /** Characters written without spaces between words, each of which counts as a word of its own. */
    static boolean isCjk(int codePoint) {
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
    }
}
