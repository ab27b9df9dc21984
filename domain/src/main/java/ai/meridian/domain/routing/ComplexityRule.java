package ai.meridian.domain.routing;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import java.util.List;
import java.util.Locale;

/**
 * A cheap, deterministic classifier: a prompt is simple when it is short, the conversation is short,
 * and it shows none of the markers of demanding work (code, analysis words, many questions).
 * CJK characters weigh double because one carries about as much as a short English word.
 */
public record ComplexityRule(int maxSimpleChars, int maxSimpleTurns, List<String> complexMarkers) {

    public static final List<String> DEFAULT_MARKERS = List.of(
            "explain", "analyze", "analyse", "compare", "prove", "derive", "step by step", "design",
            "implement", "debug", "optimiz", "optimis", "refactor", "architecture", "algorithm", "why ",
            "trade-off", "tradeoff", "evaluate", "calculate",
            "证明", "分析", "解释", "比较", "为什么", "设计", "实现", "推导", "优化", "代码", "算法", "评估");

    public static final ComplexityRule DEFAULT = new ComplexityRule(200, 6, DEFAULT_MARKERS);

    public ComplexityRule {
        if (maxSimpleChars < 1) {
            throw new IllegalArgumentException("maxSimpleChars must be positive");
        }
        if (maxSimpleTurns < 1) {
            throw new IllegalArgumentException("maxSimpleTurns must be positive");
        }
        complexMarkers = complexMarkers == null ? List.of() : complexMarkers.stream()
                .map(m -> m.toLowerCase(Locale.ROOT)).toList();
    }

    public Complexity classify(List<ChatMessage> messages) {
        String last = "";
        int userTurns = 0;
        for (ChatMessage m : messages) {
            if (m.role() == Role.USER) {
                userTurns++;
                last = m.content();
            }
        }
        if (userTurns > maxSimpleTurns || weightedLength(last) > maxSimpleChars) {
            return Complexity.COMPLEX;
        }
        if (last.contains("```") || countOf(last, '?') + countOf(last, '？') > 2 || countOf(last, '\n') > 5) {
            return Complexity.COMPLEX;
        }
        String lower = last.toLowerCase(Locale.ROOT);
        for (String marker : complexMarkers) {
            if (lower.contains(marker)) {
                return Complexity.COMPLEX;
            }
        }
        return Complexity.SIMPLE;
    }

    static int weightedLength(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            length += Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN ? 2 : 1;
            i += Character.charCount(cp);
        }
        return length;
    }

    private static int countOf(String text, char c) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
