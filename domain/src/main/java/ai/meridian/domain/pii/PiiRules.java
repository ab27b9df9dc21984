package ai.meridian.domain.pii;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The built-in rules: Chinese resident ID numbers (region, a real birth date and the ISO 7064 check digit), Chinese
 * mobile numbers (1[3-9] and nine digits, optionally +86 and grouped), e-mail addresses, bank card numbers (13 to 19
 * digits, optionally grouped, a card network prefix and a valid Luhn sum), IPv4 and IPv6 addresses. Each pattern uses
 * bounded repetition and refuses to start or end inside a longer run of digits or letters, which is where ordinary
 * numbers (order ids, amounts, dates) would otherwise match.
 */
public final class PiiRules {
    private static final int[] ID_WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private static final String ID_CHECK = "10X98765432";

    public static final PiiRule CN_ID = new PiiRule(PiiKind.CN_ID.label(), Pattern.compile(
            "(?<![0-9A-Za-z])[1-8][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"),
            PiiRules::validResidentId);
    public static final PiiRule CN_MOBILE = new PiiRule(PiiKind.CN_MOBILE.label(), Pattern.compile(
            "(?<![0-9A-Za-z+])(?:\\+?86[ -]?)?1[3-9][0-9](?:[0-9]{8}|[ -][0-9]{4}[ -][0-9]{4})(?![0-9A-Za-z])"), null);
    public static final PiiRule EMAIL = new PiiRule(PiiKind.EMAIL.label(), Pattern.compile(
            "(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])"),
            null);
    public static final PiiRule BANK_CARD = new PiiRule(PiiKind.BANK_CARD.label(), Pattern.compile(
            "(?<![0-9A-Za-z-])[3-6][0-9]{3}(?:[ -]?[0-9]{4}){2}[ -]?[0-9]{1,7}(?![0-9A-Za-z-])"), PiiRules::validCard);
    public static final PiiRule IPV4 = new PiiRule(PiiKind.IPV4.label(), Pattern.compile(
            "(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9]|\\.[0-9])"),
            null);
    public static final PiiRule IPV6 = new PiiRule(PiiKind.IPV6.label(), Pattern.compile(
            "(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?(?![0-9A-Fa-f:]|\\.[0-9])"),
            PiiRules::validIpv6);

    private PiiRules() {
    }

    /** Every built-in rule, most specific first (an ID number is not also taken for a card or a phone). */
    public static List<PiiRule> builtIn() {
        return List.of(CN_ID, EMAIL, BANK_CARD, CN_MOBILE, IPV6, IPV4);
    }

    /** The built-in rules named (CN_ID, CN_MOBILE, EMAIL, BANK_CARD, IPV4, IPV6) plus custom ones. */
    public static List<PiiRule> of(List<String> names, List<PiiRule> custom) {
        List<PiiRule> rules = new ArrayList<>();
        for (PiiRule rule : builtIn()) {
            if (names.contains(rule.label())) {
                rules.add(rule);
            }
        }
        for (String name : names) {
            if (builtIn().stream().noneMatch(r -> r.label().equals(name))) {
                throw new IllegalArgumentException("unknown built-in PII rule '" + name + "'; known: CN_ID, CN_MOBILE, EMAIL, BANK_CARD, IPV4, IPV6");
            }
        }
        rules.addAll(custom);
        return List.copyOf(rules);
    }

    /** GB 11643: the 18th character is the ISO 7064 MOD 11-2 check of the first 17; the birth date must exist. */
    static boolean validResidentId(String id) {
        if (id.length() != 18) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            char c = id.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            sum += (c - '0') * ID_WEIGHTS[i];
        }
        char check = Character.toUpperCase(id.charAt(17));
        if (ID_CHECK.charAt(sum % 11) != check) {
            return false;
        }
        int year = Integer.parseInt(id.substring(6, 10));
        int month = Integer.parseInt(id.substring(10, 12));
        int day = Integer.parseInt(id.substring(12, 14));
        return day <= daysIn(year, month);
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** 13 to 19 digits (separators aside), grouped consistently if at all, with a valid Luhn sum. */
    static boolean validCard(String candidate) {
        StringBuilder digits = new StringBuilder(19);
        char separator = 0;
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (c >= '0' && c <= '9') {
                digits.append(c);
            } else if (separator == 0) {
                separator = c;
            } else if (c != separator) {
                return false;
            }
        }
        int n = digits.length();
        if (n < 13 || n > 19) {
            return false;
        }
        int sum = 0;
        for (int i = 0; i < n; i++) {
            int d = digits.charAt(n - 1 - i) - '0';
            if (i % 2 == 1) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    /** Eight groups of 1 to 4 hex digits, or fewer with exactly one "::"; an embedded IPv4 (two groups) only at the end. */
    static boolean validIpv6(String candidate) {
        int compressed = candidate.indexOf("::");
        if (compressed != candidate.lastIndexOf("::")) {
            return false;
        }
        if (compressed < 0) {
            int groups = groups(candidate, true);
            return groups == 8;
        }
        String left = candidate.substring(0, compressed);
        String right = candidate.substring(compressed + 2);
        int l = left.isEmpty() ? 0 : groups(left, false);
        int r = right.isEmpty() ? 0 : groups(right, true);
        return l >= 0 && r >= 0 && l + r <= 7 && !(l == 0 && r == 0);
    }

    /** How many groups a colon-separated run holds (an IPv4 at its end, where allowed, counts two); -1 if malformed. */
    private static int groups(String run, boolean v4AtEnd) {
        String[] parts = run.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (v4AtEnd && i == parts.length - 1 && part.indexOf('.') >= 0) {
                if (!IPV4.pattern().matcher(part).matches()) {
                    return -1;
                }
                count += 2;
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return -1;
            }
            for (int k = 0; k < part.length(); k++) {
                if (Character.digit(part.charAt(k), 16) < 0) {
                    return -1;
                }
            }
            count++;
        }
        return count;
    }
}
