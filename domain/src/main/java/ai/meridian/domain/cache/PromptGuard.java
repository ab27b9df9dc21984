package ai.meridian.domain.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What sets two prompts apart even when their embeddings are close: sentence embeddings place "What is 15% of 80?"
 * next to "What is 15% of 90?", "Is X safe?" next to "Is X not safe?" and "the capital of France" next to "the
 * capital of Spain". Two prompts are compatible only when they name the same numbers (digits and Chinese numerals),
 * agree on negation (English and Chinese markers) and name the same entities (capitalised or mixed-case Latin words
 * that are not sentence words, acronyms, and Latin words inside Chinese text, compared case-insensitively, plus
 * quoted phrases). It errs on the side of a miss: a miss costs one model call, a wrong hit a wrong answer.
 */
public final class PromptGuard {
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*|[零〇一二两三四五六七八九十百千万亿]+");
    private static final Pattern LATIN_WORD = Pattern.compile("[A-Za-z][A-Za-z0-9+#.\\-]*(?:'s)?");
    private static final Pattern QUOTED = Pattern.compile("[\"“「『《]([^\"”」』》]{1,80})[\"”」』》]");
    private static final Pattern CJK = Pattern.compile("[\\u4e00-\\u9fff]");
    private static final Set<String> ENGLISH_NEGATIONS = Set.of("not", "no", "never", "none", "nobody", "nothing", "neither", "nor",
            "without", "cannot", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "cant", "shouldnt", "wouldnt",
            "couldnt", "mustnt", "havent", "hasnt", "hadnt", "aint");
    private static final List<String> CHINESE_NEGATIONS = List.of("不", "没", "沒", "別", "别", "无", "無", "非", "未", "勿", "莫", "否");
    /** Words written with a negation character that negate nothing ("very", "future", "wireless", "but", "not only", ...). */
    private static final List<String> CHINESE_NON_NEGATING = List.of("非常", "未来", "無論", "无论", "无线", "無線", "不过", "不過", "不仅",
            "不僅", "不但", "不管", "不同", "并非不", "莫名", "否则", "否則", "是否", "能否", "可否", "与否", "與否");
    /** Words that start sentences or questions: capitalised there without naming anything. */
    private static final Set<String> SENTENCE_WORDS = Set.copyOf(List.of("what", "whats", "what's", "which", "who", "whom", "whose", "where", "when",
            "why", "how", "is", "are", "was", "were", "am", "be", "can", "could", "would", "should", "will", "shall", "may", "might",
            "must", "do", "does", "did", "have", "has", "had", "please", "tell", "give", "show", "list", "explain", "describe",
            "write", "summarize", "summarise", "name", "find", "help", "i", "i'm", "im", "my", "me", "we", "our", "you", "your",
            "the", "a", "an", "in", "on", "at", "of", "for", "to", "from", "by", "with", "about", "and", "or", "but", "if", "then",
            "so", "it", "its", "this", "that", "these", "those", "there", "here", "hi", "hello", "hey", "ok", "okay", "thanks",
            "thank", "yes", "let", "let's", "lets", "could", "kindly", "quick", "quickly", "briefly", "in", "into", "any", "some",
            "all", "each", "every", "one", "say", "know", "need", "want", "like", "define", "compare", "translate", "calculate",
            "compute", "convert"));

    private PromptGuard() {
    }

    /** True when nothing sets the two prompts apart (see the class comment). */
    public static boolean compatible(String a, String b) {
        return numbers(a).equals(numbers(b)) && negated(a) == negated(b) && entities(a).equals(entities(b));
    }

    /** The numbers a prompt names, in order of value text (thousands separators dropped). */
    static List<String> numbers(String text) {
        List<String> numbers = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            String n = m.group();
            numbers.add(Character.isDigit(n.charAt(0)) ? n.replace(",", "") : n.replace('两', '二').replace('〇', '零'));
        }
        Collections.sort(numbers);
        return numbers;
    }

    /** Whether the prompt negates: an English negation word or a Chinese negation character. */
    static boolean negated(String text) {
        String lower = text.toLowerCase(Locale.ROOT).replace("’", "'");
        for (String word : lower.split("[^a-z']+")) {
            String bare = word.replace("'", "");
            if (ENGLISH_NEGATIONS.contains(bare) || word.endsWith("n't")) {
                return true;
            }
        }
        String chinese = text;
        for (String word : CHINESE_NON_NEGATING) {
            chinese = chinese.replace(word, " ");
        }
        for (String marker : CHINESE_NEGATIONS) {
            if (chinese.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** The entities a prompt names, lower-cased. */
    static Set<String> entities(String text) {
        Set<String> entities = new TreeSet<>();
        boolean chinese = CJK.matcher(text).find();
        Matcher m = LATIN_WORD.matcher(text);
        while (m.find()) {
            String word = m.group();
            String bare = word.endsWith("'s") ? word.substring(0, word.length() - 2) : word;
            bare = bare.replaceAll("[.\\-]+$", "");
            if (bare.isEmpty()) {
                continue;
            }
            String lower = bare.toLowerCase(Locale.ROOT);
            boolean named = !bare.equals(lower); // has a capital letter
            if ((chinese || named) && !SENTENCE_WORDS.contains(lower)) {
                entities.add(lower);
            }
        }
        Matcher q = QUOTED.matcher(text);
        while (q.find()) {
            entities.add("\"" + q.group(1).trim().toLowerCase(Locale.ROOT));
        }
        return entities;
    }
}
