package ai.meridian.adapter.in.anthropic;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the Anthropic door is set up ({@code meridian.anthropic}): the model-name mapping that lets clients asking
 * for Anthropic's models ({@code claude-*}, as Claude Code does) be served by a model this gateway offers, and how
 * often a stream sends {@code ping} events while it is open.
 */
public record AnthropicSettings(List<ModelRule> modelMapping, Duration pingInterval) {
    public static final AnthropicSettings DEFAULTS = new AnthropicSettings(List.of(), Duration.ofSeconds(10));

    public AnthropicSettings {
        modelMapping = List.copyOf(modelMapping);
        Objects.requireNonNull(pingInterval, "pingInterval");
        if (pingInterval.toMillis() < 100) {
            throw new IllegalArgumentException("meridian.anthropic.ping-interval must be at least 100ms");
        }
    }

    /**
     * One mapping: requested model names matching {@code pattern} ({@code *} matches any run of characters, the rest
     * literally; {@code claude-*}, {@code claude-3-5-haiku-*}, an exact name) are served by {@code model}.
     */
    public record ModelRule(String pattern, String model) {
        public ModelRule {
            if (pattern == null || pattern.isBlank() || model == null || model.isBlank()) {
                throw new IllegalArgumentException("a model mapping needs 'from' (a name or pattern) and 'to' (a model)");
            }
        }

        /** Glob matching ({@code *} only), without building a pattern per request. */
        boolean matches(String requested) {
            int p = 0;
            int s = 0;
            int star = -1;
            int resume = 0;
            while (s < requested.length()) {
                if (p < pattern.length() && pattern.charAt(p) == '*') {
                    star = p++;
                    resume = s;
                } else if (p < pattern.length() && pattern.charAt(p) == requested.charAt(s)) {
                    p++;
                    s++;
                } else if (star >= 0) {
                    p = star + 1;
                    s = ++resume;
                } else {
                    return false;
                }
            }
            while (p < pattern.length() && pattern.charAt(p) == '*') {
                p++;
            }
            return p == pattern.length();
        }
    }

    /** The model that serves a request for {@code requested}: the first rule that matches, else the name as asked. */
    public String modelFor(String requested) {
        return ruleFor(requested).map(ModelRule::model).orElse(requested);
    }

    Optional<ModelRule> ruleFor(String requested) {
        for (ModelRule rule : modelMapping) {
            if (rule.matches(requested)) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }
}
