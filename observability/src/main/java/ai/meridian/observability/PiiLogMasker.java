package ai.meridian.observability;

import ai.meridian.domain.pii.PiiMasker;
import com.fasterxml.jackson.core.JsonStreamContext;
import java.util.List;
import net.logstash.logback.mask.ValueMasker;

/**
 * Masks personal data in every string value of a JSON log line ({@code [EMAIL]}, {@code [CN_MOBILE]}, ...; not
 * reversible): configured in logback.xml on the JSON encoder, switched on by the gateway when
 * {@code meridian.pii.mask-logs} is on. Prompts and answers are never logged; this catches what an error message or
 * an upstream's error text might carry.
 */
public final class PiiLogMasker implements ValueMasker {
    private static volatile PiiMasker masker;

    /** Turns masking on with these rules (null: off). */
    public static void use(PiiMasker rules) {
        masker = rules;
    }

    @Override
    public Object mask(JsonStreamContext context, Object value) {
        PiiMasker rules = masker;
        if (rules == null || !(value instanceof CharSequence sequence)) {
            return null;
        }
        String text = sequence.toString();
        List<PiiMasker.Finding> found = rules.find(text);
        if (found.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (PiiMasker.Finding f : found) {
            out.append(text, at, f.start()).append('[').append(f.label()).append(']');
            at = f.end();
        }
        return out.append(text, at, text.length()).toString();
    }
}
