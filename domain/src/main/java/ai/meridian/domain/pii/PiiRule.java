package ai.meridian.domain.pii;

import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One kind of personal data: a pattern that finds candidates (bounded quantifiers only, so no input makes it
 * backtrack for long) and a check that confirms them (a checksum, a valid address), and the label its placeholders
 * carry. Built-in rules come from {@link PiiRules}; custom ones from configuration, with a name and a regex.
 */
public record PiiRule(String label, Pattern pattern, Predicate<String> confirm) {
    private static final Pattern LABEL = Pattern.compile("[A-Z][A-Z0-9_]{0,30}");

    public PiiRule {
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("a PII rule's name is 1 to 31 upper-case letters, digits or '_', starting with a letter: " + label);
        }
        Objects.requireNonNull(pattern, "pattern");
        confirm = confirm == null ? s -> true : confirm;
    }

    /** A rule from configuration: any Java regex; every match is masked. */
    public static PiiRule custom(String name, String regex) {
        Pattern compiled;
        try {
            compiled = Pattern.compile(regex);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("PII rule " + name + ": not a regular expression: " + e.getDescription());
        }
        if (compiled.matcher("").matches()) {
            throw new IllegalArgumentException("PII rule " + name + ": the pattern matches the empty string");
        }
        return new PiiRule(name, compiled, null);
    }

    Matcher matcher(CharSequence text) {
        return pattern.matcher(text);
    }
}
