package ai.meridian.adapter.out.webfetch;

import java.util.Set;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeVisitor;

/**
 * Renders an element's text as a reader sees it: paragraphs, headings, list items and table rows on lines of
 * their own, blank lines between paragraphs, runs of spaces collapsed (except in {@code <pre>}).
 * {@code Element.text()} would run everything into one line, which hurts chunking and citation snippets.
 */
final class TextRenderer {
    private static final Set<String> PARAGRAPHS = Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol",
            "dl", "table", "figure", "article", "section", "main", "header", "footer", "aside", "nav", "address", "details", "hr");
    private static final Set<String> LINES = Set.of("div", "li", "tr", "dt", "dd", "figcaption", "summary", "caption", "form",
            "fieldset", "legend", "center", "body");

    private TextRenderer() {
    }

    static String render(Element root) {
        StringBuilder out = new StringBuilder();
        root.traverse(new NodeVisitor() {
            private int preDepth;

            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    appendText(out, preDepth > 0 ? text.getWholeText() : text.text(), preDepth > 0);
                } else if (node instanceof Element e) {
                    String name = e.normalName();
                    if (name.equals("pre")) {
                        preDepth++;
                    }
                    if (name.equals("br")) {
                        newline(out, 1);
                    } else if (PARAGRAPHS.contains(name)) {
                        newline(out, 2);
                    } else if (LINES.contains(name)) {
                        newline(out, 1);
                    } else if ((name.equals("td") || name.equals("th")) && e.elementSiblingIndex() > 0) {
                        appendText(out, " | ", true);
                    }
                    if (name.equals("li")) {
                        out.append("- ");
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element e) {
                    String name = e.normalName();
                    if (name.equals("pre")) {
                        preDepth--;
                    }
                    if (PARAGRAPHS.contains(name)) {
                        newline(out, 2);
                    } else if (LINES.contains(name)) {
                        newline(out, 1);
                    }
                }
            }
        });
        return tidy(out);
    }

    /** Trims lines, keeps at most one blank line in a row. */
    static String tidy(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        int blank = 0;
        for (String line : text.toString().split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) {
                blank++;
                continue;
            }
            if (out.length() > 0) {
                out.append(blank > 0 ? "\n\n" : "\n");
            }
            blank = 0;
            out.append(trimmed);
        }
        return out.toString();
    }

    private static void appendText(StringBuilder out, String text, boolean verbatim) {
        if (text.isEmpty()) {
            return;
        }
        if (verbatim) {
            out.append(text);
            return;
        }
        String collapsed = text.replaceAll("\\s+", " ");
        if (collapsed.startsWith(" ") && (out.length() == 0 || Character.isWhitespace(out.charAt(out.length() - 1)))) {
            collapsed = collapsed.substring(1);
        }
        out.append(collapsed);
    }

    private static void newline(StringBuilder out, int count) {
        int have = 0;
        for (int i = out.length() - 1; i >= 0 && out.charAt(i) == '\n' && have < count; i--) {
            have++;
        }
        for (int i = have; i < count && out.length() > 0; i++) {
            out.append('\n');
        }
    }
}
