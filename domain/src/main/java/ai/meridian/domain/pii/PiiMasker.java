package ai.meridian.domain.pii;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;

/**
 * Replaces personal data in text with placeholders ({@code [EMAIL_1]}, {@code [CN_MOBILE_2]}, ...), reversibly: the
 * {@link PiiVault} of one request remembers what each placeholder stands for, the same value always gets the same
 * placeholder within a request, and {@link PiiVault#restore} (or a {@link PlaceholderRestorer} for a stream) puts the
 * values back into an answer that echoes them. Overlapping findings are resolved in favour of the earlier, then the
 * longer one. Text is scanned once per rule; every rule's pattern has bounded repetition.
 */
public final class PiiMasker {
    private final List<PiiRule> rules;

    public PiiMasker(List<PiiRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public static PiiMasker builtIn() {
        return new PiiMasker(PiiRules.builtIn());
    }

    public List<PiiRule> rules() {
        return rules;
    }

    /** One finding: where, and which rule. */
    public record Finding(int start, int end, String label, String value) {
    }

    /** Every confirmed finding in {@code text}, in order, without overlaps. */
    public List<Finding> find(String text) {
        Objects.requireNonNull(text, "text");
        List<Finding> all = new ArrayList<>();
        for (PiiRule rule : rules) {
            Matcher m = rule.matcher(text);
            while (m.find()) {
                if (m.end() > m.start()) {
                    String value = m.group();
                    if (rule.confirm().test(value)) {
                        all.add(new Finding(m.start(), m.end(), rule.label(), value));
                    }
                }
            }
        }
        all.sort(Comparator.comparingInt(Finding::start).thenComparing(Comparator.comparingInt((Finding f) -> f.end() - f.start()).reversed()));
        List<Finding> kept = new ArrayList<>(all.size());
        int covered = 0;
        for (Finding f : all) {
            if (f.start() >= covered) {
                kept.add(f);
                covered = f.end();
            }
        }
        return kept;
    }

    /** {@code text} with every finding replaced by its placeholder from {@code vault}. */
    public String mask(String text, PiiVault vault) {
        vault.reserveIn(text);
        List<Finding> findings = find(text);
        if (findings.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16 * findings.size());
        int at = 0;
        for (Finding f : findings) {
            out.append(text, at, f.start()).append(vault.placeholderFor(f.label(), f.value()));
            at = f.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /**
     * JSON text (tool-call arguments, a content part's object) with the personal data in its string values and numbers
     * replaced by placeholders, still valid JSON: a number holding personal data becomes a string holding its
     * placeholder (restored as the value's digits, in quotes). Text that is not well-formed JSON is masked as text.
     */
    public String maskJson(String json, PiiVault vault) {
        Objects.requireNonNull(json, "json");
        String masked = JsonMasking.mask(json, value -> mask(value, vault));
        return masked != null ? masked : mask(json, vault);
    }

    /** True when {@code text} holds anything the rules find (for tests and metrics). */
    public boolean containsPii(String text) {
        return !find(text).isEmpty();
    }
}
