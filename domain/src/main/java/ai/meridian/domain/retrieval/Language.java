package ai.meridian.domain.retrieval;

/**
 * The language grounding instructions are written in. Only what is cheap to tell apart reliably: Chinese
 * (Han characters dominate) or English (everything else).
 */
public enum Language {
    ENGLISH, CHINESE;

    /** Chinese when at least a fifth of the text's letters are Han characters, otherwise English. */
    public static Language detect(String text) {
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
        return letters > 0 && han * 5 >= letters ? CHINESE : ENGLISH;
    }

    /** Characters written without spaces between words, each of which counts as a word of its own. */
    static boolean isCjk(int codePoint) {
        Character.UnicodeScript script = Character.UnicodeScript.of(codePoint);
        return script == Character.UnicodeScript.HAN || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA || script == Character.UnicodeScript.HANGUL;
    }
}
