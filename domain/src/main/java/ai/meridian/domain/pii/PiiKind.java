package ai.meridian.domain.pii;

import java.util.Locale;

/** The kinds of personal data the masker knows by itself; custom rules from configuration carry their own names. */
public enum PiiKind {
    CN_ID, CN_MOBILE, EMAIL, BANK_CARD, IPV4, IPV6;

    public String label() {
        return name().toUpperCase(Locale.ROOT);
    }
}
