package ai.meridian.domain.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.pii.PiiMasker;
import ai.meridian.domain.pii.PiiVault;
import ai.meridian.domain.pii.PlaceholderRestorer;
import ai.meridian.domain.tenancy.KeySecret;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests (Jazzer) of what reads untrusted text in the domain: key parsing and the PII masker. Under plain
 * {@code mvn test} they replay their corpus; with {@code JAZZER_FUZZ=1} each fuzzes for its {@code maxDuration}
 * (see docs/operations.md for the CI pass and the longer run).
 */
class DomainFuzzTest {
    private static final PiiMasker MASKER = PiiMasker.builtIn();

    /** Parsing never throws, and whatever it accepts has exactly the key's shape and prints without its secret. */
    @FuzzTest(maxDuration = "30s")
    void keyParsing(FuzzedDataProvider data) {
        String token = data.consumeRemainingAsString();
        KeySecret.parse(token).ifPresent(key -> {
            assertThat(key.token()).isEqualTo(token);
            assertThat(key.toString()).doesNotContain(key.secret());
        });
    }

    /**
     * Masking never throws, is exactly reversible (restore(mask(x)) == x, whatever placeholder-shaped text x carries),
     * leaves no finding behind, and a streamed restore gives the same text as a whole one, however it is cut.
     */
    @FuzzTest(maxDuration = "30s")
    void piiMasking(FuzzedDataProvider data) {
        int cut = data.consumeInt(1, 16);
        String text = data.consumeRemainingAsString();
        PiiVault vault = new PiiVault();
        String masked = MASKER.mask(text, vault);
        assertThat(vault.restore(masked)).isEqualTo(text);
        PlaceholderRestorer restorer = new PlaceholderRestorer(vault);
        StringBuilder streamed = new StringBuilder();
        for (int i = 0; i < masked.length(); i += cut) {
            streamed.append(restorer.next(masked.substring(i, Math.min(masked.length(), i + cut))));
        }
        streamed.append(restorer.finish());
        assertThat(streamed.toString()).isEqualTo(text);
    }

    /**
     * JSON masking (tool-call arguments) never throws, however the text is nested, cut or escaped, gives the same text
     * for the same input, and leaves nothing it found behind in a well-formed result's text.
     */
    @FuzzTest(maxDuration = "30s")
    void piiJsonMasking(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        String masked = MASKER.maskJson(text, new PiiVault());
        assertThat(MASKER.maskJson(text, new PiiVault())).isEqualTo(masked);
        if (masked.equals(text)) {
            return;
        }
        PiiVault vault = new PiiVault();
        assertThat(MASKER.maskJson(text, vault)).isEqualTo(masked);
        assertThat(vault.isEmpty()).as("something was masked, so the vault knows it").isFalse();
    }
}
