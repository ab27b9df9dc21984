package ai.meridian.domain.pii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The masker on real shapes of personal data, its precision and recall on a generated corpus, and reversibility. */
class PiiMaskerTest {
    private final PiiMasker masker = PiiMasker.builtIn();

    @Test
    void eachBuiltInKindIsFoundAndConfirmed() {
        assertThat(labels("身份证号 11010519491231002X 已登记")).containsExactly("CN_ID");
        assertThat(labels("身份证号 110105194912310021 已登记")).as("wrong check digit").isEmpty();
        assertThat(labels("号码 110105194902300024")).as("30 February").isEmpty();
        assertThat(labels("call 13812345678 or +86 139-1234-5678")).containsExactly("CN_MOBILE", "CN_MOBILE");
        assertThat(labels("12812345678")).as("no mobile prefix 12").isEmpty();
        assertThat(labels("mail zhang.wei@corp.example.cn now")).containsExactly("EMAIL");
        assertThat(labels("card 6222 0212 3456 7894 or 4111111111111111")).containsExactly("BANK_CARD", "BANK_CARD");
        assertThat(labels("card 4111111111111112")).as("Luhn fails").isEmpty();
        assertThat(labels("from 192.168.1.20 and 10.0.0.1")).containsExactly("IPV4", "IPV4");
        assertThat(labels("version 1.2.3 and 999.1.1.1")).isEmpty();
        assertThat(labels("hosts 2001:db8::8a2e:370:7334, ::1 and fe80::1%eth0")).containsExactly("IPV6", "IPV6", "IPV6");
        assertThat(labels("at 12:30:45, MAC 00:1a:2b:3c:4d:5e")).isEmpty();
    }

    private List<String> labels(String text) {
        return masker.find(text).stream().map(PiiMasker.Finding::label).toList();
    }

    @Test
    void maskingIsReversiblePerRequestAndTheSameValueKeepsItsPlaceholder() {
        PiiVault vault = new PiiVault();
        String masked = masker.mask("Mail a@example.com, then a@example.com again; phone 13812345678.", vault);
        assertThat(masked).isEqualTo("Mail [EMAIL_1], then [EMAIL_1] again; phone [CN_MOBILE_1].");
        assertThat(vault.restore("I wrote to [EMAIL_1] and called [CN_MOBILE_1]; [EMAIL_9] and [note] stay."))
                .isEqualTo("I wrote to a@example.com and called 13812345678; [EMAIL_9] and [note] stay.");
        PiiVault other = new PiiVault();
        assertThat(other.restore("[EMAIL_1]")).as("another request's vault knows nothing").isEqualTo("[EMAIL_1]");
    }

    @Test
    void aStreamedAnswerIsRestoredAcrossChunkBoundaries() {
        PiiVault vault = new PiiVault();
        masker.mask("reach me at bob@example.org", vault);
        String answer = "Sure, I will write to [EMAIL_1] today. [Note: ok]";
        for (int size = 1; size <= 7; size++) {
            PlaceholderRestorer restorer = new PlaceholderRestorer(vault);
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < answer.length(); i += size) {
                out.append(restorer.next(answer.substring(i, Math.min(answer.length(), i + size))));
            }
            out.append(restorer.finish());
            assertThat(out.toString()).as("chunks of %d", size).isEqualTo("Sure, I will write to bob@example.org today. [Note: ok]");
        }
        PlaceholderRestorer restorer = new PlaceholderRestorer(vault);
        assertThat(restorer.next("a [b")).as("only what may become a placeholder is held").isEqualTo("a [b");
        assertThat(restorer.next("x [EMA")).isEqualTo("x ");
        assertThat(restorer.finish()).isEqualTo("[EMA");
    }

    @Test
    void jsonIsMaskedInItsStringsAndNumbersAndStaysJson() {
        PiiVault vault = new PiiVault();
        String args = "{\"phone\": 13812345678, \"id\":110105194912310118, \"card\":4111111111111111,"
                + " \"note\":\"mail a@example.com\\nor 13912345678\", \"count\": 13, \"price\": -19.99e2,"
                + " \"13812345678\": [true, false, null, {\"ip\": \"10.0.0.1\"}], \"plain\": \"\\u0041\"}";
        assertThat(masker.maskJson(args, vault)).isEqualTo("{\"phone\": \"[CN_MOBILE_1]\", \"id\":\"[CN_ID_1]\", \"card\":\"[BANK_CARD_1]\","
                + " \"note\":\"mail [EMAIL_1]\\nor [CN_MOBILE_2]\", \"count\": 13, \"price\": -19.99e2,"
                + " \"13812345678\": [true, false, null, {\"ip\": \"[IPV4_1]\"}], \"plain\": \"\\u0041\"}");
        assertThat(vault.restore("{\"to\":\"[CN_MOBILE_1]\",\"id\":\"[CN_ID_1]\"}")).isEqualTo("{\"to\":\"13812345678\",\"id\":\"110105194912310118\"}");
        // An escape right before a number no longer hides it: strings are read decoded.
        assertThat(masker.maskJson("[\"tel:\\t13812345678\"]", new PiiVault())).isEqualTo("[\"tel:\\t[CN_MOBILE_1]\"]");
        assertThat(masker.maskJson("13812345678", new PiiVault())).isEqualTo("\"[CN_MOBILE_1]\"");
        String unchanged = "{\"order\": 2026112700123, \"a\": [1, 2.5, \"x\"], \"b\": {}}";
        assertThat(masker.maskJson(unchanged, new PiiVault())).isSameAs(unchanged);
    }

    @Test
    void textThatIsNotJsonIsMaskedAsText() {
        for (String broken : List.of("{\"phone\": 13812345678", "{\"phone\" 13812345678}", "call 13812345678", "[13812345678,]",
                "{\"a\":01}", "\"open 13812345678", "{} 13812345678", "{\"a\":\"\\x\"} 13812345678", "")) {
            assertThat(masker.maskJson(broken, new PiiVault())).as(broken).isEqualTo(masker.mask(broken, new PiiVault()));
        }
        assertThat(masker.maskJson("[".repeat(5000) + "13812345678" + "]".repeat(5000), new PiiVault())).as("too deep: as text")
                .contains("[CN_MOBILE_1]").doesNotContain("13812345678");
        assertThat(masker.maskJson("[".repeat(500) + "13812345678" + "]".repeat(500), new PiiVault()))
                .isEqualTo("[".repeat(500) + "\"[CN_MOBILE_1]\"" + "]".repeat(500));
    }

    @Test
    void customRulesComeFromConfiguration() {
        PiiMasker custom = new PiiMasker(PiiRules.of(List.of("EMAIL"), List.of(PiiRule.custom("EMPLOYEE_ID", "EMP-[0-9]{6}"))));
        PiiVault vault = new PiiVault();
        assertThat(custom.mask("EMP-123456 wrote from x@example.com, phone 13812345678", vault))
                .isEqualTo("[EMPLOYEE_ID_1] wrote from [EMAIL_1], phone 13812345678");
        assertThatThrownBy(() -> PiiRule.custom("BAD", "(")).hasMessageContaining("not a regular expression");
        assertThatThrownBy(() -> PiiRule.custom("EMPTY", "x*")).hasMessageContaining("empty string");
        assertThatThrownBy(() -> PiiRules.of(List.of("PASSPORT"), List.of())).hasMessageContaining("unknown built-in");
    }

    /** Precision and recall on the generated corpus; the figures are printed for the documentation. */
    @Test
    void precisionAndRecallOnTheCorpusAndNoFalsePositiveOnOrdinaryNumbers() {
        PiiCorpus corpus = new PiiCorpus(20261127L);
        Map<String, int[]> perKind = new TreeMap<>(); // tp, fn, fp
        int tp = 0;
        int fn = 0;
        int fp = 0;
        List<String> misses = new ArrayList<>();
        for (PiiCorpus.Sample s : corpus.positives(500)) {
            List<PiiMasker.Finding> found = masker.find(s.text());
            int[] counts = perKind.computeIfAbsent(s.label(), k -> new int[3]);
            boolean hit = found.stream().anyMatch(f -> f.label().equals(s.label()) && f.value().contains(s.value().replace("+86 ", "")));
            if (hit) {
                tp++;
                counts[0]++;
            } else {
                fn++;
                counts[1]++;
                misses.add(s.label() + ": " + s.text() + " -> " + found);
            }
            long extra = found.stream().filter(f -> !(f.label().equals(s.label()) && f.value().contains(s.value().replace("+86 ", "")))).count();
            fp += (int) extra;
            counts[2] += (int) extra;
        }
        List<String> falsePositives = new ArrayList<>();
        List<String> negatives = corpus.negatives(5000);
        for (String text : negatives) {
            List<PiiMasker.Finding> found = masker.find(text);
            if (!found.isEmpty()) {
                falsePositives.add(text + " -> " + found);
            }
        }
        double precision = tp / (double) (tp + fp + falsePositives.size());
        double recall = tp / (double) (tp + fn);
        System.out.printf("PII corpus: %d positives, %d ordinary texts; precision %.4f, recall %.4f, false positives on ordinary text %d%n",
                tp + fn, negatives.size(), precision, recall, falsePositives.size());
        perKind.forEach((kind, c) -> System.out.printf("PII %s: found %d, missed %d, extra %d%n", kind, c[0], c[1], c[2]));
        assertThat(falsePositives).as("ordinary numbers, dates, prices and ids are not personal data").isEmpty();
        assertThat(misses).isEmpty();
        assertThat(precision).isEqualTo(1.0);
    }
}
