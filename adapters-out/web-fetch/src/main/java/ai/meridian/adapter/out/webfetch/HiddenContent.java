package ai.meridian.adapter.out.webfetch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Comment;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.select.Selector;

/**
 * Removes what a reader of the page does not see, because hidden text is where instructions aimed at a model
 * ("ignore previous instructions...") are usually planted: HTML comments; scripts, styles, templates, frames,
 * embedded objects, SVG, form fields; elements marked {@code hidden}, {@code aria-hidden="true"}, closed
 * {@code <dialog>}s; elements whose inline style hides them (display:none, visibility:hidden, opacity:0,
 * font-size:0, zero size with overflow hidden, clipped, or pushed thousands of pixels off screen); elements
 * with the common hiding classes ({@code hidden}, {@code d-none}, {@code invisible}, {@code sr-only},
 * {@code visually-hidden}, {@code screen-reader-text}); and elements that the page's own {@code <style>}
 * blocks hide with display:none or visibility:hidden (rules outside {@code @media}). Invisible characters
 * (zero-width, bidi controls, Unicode tag characters) are removed from the text by {@link #visibleText}.
 * Visible text stays: it is the page's content, and the grounding prompt presents it as data.
 */
final class HiddenContent {
    private static final String INVISIBLE_TAGS = "script, style, noscript, template, iframe, frame, frameset, object, embed, applet, "
            + "svg, canvas, audio, video, source, track, map, input, select, textarea, button, datalist, dialog:not([open])";
    private static final String HIDING_ATTRIBUTES = "[hidden], [aria-hidden=true], .hidden, .d-none, .invisible, .sr-only, "
            + ".visually-hidden, .screen-reader-text, .hide";
    private static final Pattern HIDING_STYLE = Pattern.compile(
            "display:none|visibility:(hidden|collapse)|opacity:0(\\.0+)?(?![.\\d])|font-size:0(px|em|rem|pt|%)?(?![.\\d])"
                    + "|(left|top|right|text-indent|margin-left|margin-top):-\\d{4,}|clip:rect\\(0|clip:rect\\(1px|clip-path:inset\\(50%"
                    + "|transform:scale\\(0\\)");
    private static final Pattern ZERO_SIZE = Pattern.compile("(^|;)(max-)?height:0(px)?(;|$)");
    private static final Pattern CSS_RULE = Pattern.compile("([^{}@]+)\\{([^{}]*)\\}");
    private static final Pattern CSS_AT_BLOCK = Pattern.compile("@[a-z-]+[^{;]*\\{([^{}]*\\{[^{}]*\\})*[^{}]*\\}", Pattern.CASE_INSENSITIVE);
    private static final Pattern CSS_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);
    private static final int MAX_STYLE_RULES = 500;

    private HiddenContent() {
    }

    static void strip(Document doc) {
        removeStyleSheetHidden(doc);
        removeComments(doc);
        doc.select(INVISIBLE_TAGS).remove();
        doc.select(HIDING_ATTRIBUTES).remove();
        for (Element element : doc.select("[style]")) {
            if (hidesByStyle(element.attr("style"))) {
                element.remove();
            }
        }
    }

    static boolean hidesByStyle(String style) {
        String compact = style.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        if (HIDING_STYLE.matcher(compact).find()) {
            return true;
        }
        return ZERO_SIZE.matcher(compact).find() && compact.contains("overflow:hidden");
    }

    /** Removes invisible characters and normalises what is left for reading. */
    static String visibleText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.getType(cp) == Character.FORMAT || cp >= 0xE0000 && cp <= 0xE007F) {
                continue; // zero-width and bidi controls, soft hyphen, BOM, tag characters
            }
            if (cp == 0xA0) {
                out.append(' ');
                continue;
            }
            if (Character.isISOControl(cp) && cp != '\n' && cp != '\t') {
                continue;
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static void removeComments(Document doc) {
        List<Node> comments = new ArrayList<>();
        doc.traverse((node, depth) -> {
            if (node instanceof Comment) {
                comments.add(node);
            }
        });
        comments.forEach(Node::remove);
    }

    private static void removeStyleSheetHidden(Document doc) {
        int rules = 0;
        for (Element style : doc.select("style")) {
            String css = CSS_COMMENT.matcher(style.data()).replaceAll("");
            css = CSS_AT_BLOCK.matcher(css).replaceAll(""); // @media print {...} hides only on paper
            Matcher rule = CSS_RULE.matcher(css);
            while (rule.find() && rules++ < MAX_STYLE_RULES) {
                String declarations = rule.group(2).replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
                if (!declarations.contains("display:none") && !declarations.contains("visibility:hidden")) {
                    continue;
                }
                for (String selector : rule.group(1).split(",")) {
                    String s = selector.trim();
                    if (s.isEmpty() || s.contains(":")) {
                        continue; // :hover, ::before and friends do not hide the element itself
                    }
                    try {
                        for (Element hidden : doc.select(s)) {
                            if (!List.of("html", "head", "body").contains(hidden.normalName())) {
                                hidden.remove();
                            }
                        }
                    } catch (Selector.SelectorParseException unsupported) {
                        // a selector jsoup cannot read: the element stays
                    }
                }
            }
        }
    }
}
