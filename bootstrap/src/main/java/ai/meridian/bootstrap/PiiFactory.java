package ai.meridian.bootstrap;

import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.service.PiiPolicy;
import ai.meridian.domain.pii.PiiMasker;
import ai.meridian.domain.pii.PiiRule;
import ai.meridian.domain.pii.PiiRules;
import ai.meridian.observability.PiiLogMasker;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * PII masking ({@code meridian.pii.enabled}): the rules (built-in ones by name, custom ones by regex), which backends
 * are untrusted, whether answers are restored, whether web-search queries and log lines are masked.
 */
@Factory
final class PiiFactory {
    static final List<String> ALL_RULES = List.of("CN_ID", "CN_MOBILE", "EMAIL", "BANK_CARD", "IPV4", "IPV6");

    @Singleton
    @Requires(property = "meridian.pii.enabled", value = "true")
    PiiPolicy piiPolicy(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.pii");
        List<String> names = s.list("rules").isEmpty() ? ALL_RULES : s.list("rules").stream().map(n -> n.trim().toUpperCase(Locale.ROOT)).toList();
        List<PiiRule> custom = new ArrayList<>();
        for (Map.Entry<String, String> rule : s.under("custom").entrySet()) {
            String label = rule.getKey().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                custom.add(PiiRule.custom(label, rule.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(s.key("custom." + rule.getKey()) + ": " + e.getMessage(), e);
            }
        }
        PiiMasker masker;
        try {
            masker = new PiiMasker(PiiRules.of(names, custom));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(s.key("rules") + ": " + e.getMessage(), e);
        }
        List<String> untrusted = s.list("untrusted-backends");
        Set<String> backends = new LinkedHashSet<>(untrusted.isEmpty() ? List.of(PiiPolicy.EVERY_BACKEND) : untrusted);
        if (s.flag("mask-logs", true)) {
            PiiLogMasker.use(masker);
        }
        return new PiiPolicy(masker, backends, s.flag("restore-answers", true), s.flag("mask-web-search", true));
    }
}
