package ai.meridian.adapter.out.webfetch;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * IPv4 host literals as browsers (the WHATWG URL standard) and {@code inet_aton} read them: one to four
 * parts, each decimal, octal (leading 0) or hex (0x), the last filling the remaining bytes. So
 * {@code 2130706433}, {@code 0x7f.1}, {@code 0177.0.0.1} and {@code 127.1} are all 127.0.0.1, and are judged as
 * that address instead of being sent to DNS, where some resolvers would read them the same way.
 */
final class Ipv4Literal {
    private Ipv4Literal() {
    }

    /** Whether the host's last label is a number, which makes it an IPv4 literal or invalid (WHATWG). */
    static boolean endsInNumber(String host) {
        String[] parts = host.split("\\.", -1);
        String last = parts[parts.length - 1];
        if (last.isEmpty() && parts.length > 1) {
            last = parts[parts.length - 2];
        }
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        return (last.startsWith("0x") || last.startsWith("0X"))
                && last.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /** The address the literal stands for, or empty when it is not a valid IPv4 literal. */
    static Optional<InetAddress> parse(String host) {
        String[] parts = host.split("\\.", -1);
        int count = parts.length;
        if (count > 1 && parts[count - 1].isEmpty()) {
            count--;
        }
        if (count > 4 || count == 0) {
            return Optional.empty();
        }
        long[] numbers = new long[count];
        for (int i = 0; i < count; i++) {
            long n = number(parts[i]);
            if (n < 0) {
                return Optional.empty();
            }
            numbers[i] = n;
        }
        for (int i = 0; i < count - 1; i++) {
            if (numbers[i] > 255) {
                return Optional.empty();
            }
        }
        if (numbers[count - 1] >= 1L << (8 * (5 - count))) {
            return Optional.empty();
        }
        long value = numbers[count - 1];
        for (int i = 0; i < count - 1; i++) {
            value += numbers[i] << (8 * (3 - i));
        }
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(host, bytes));
        } catch (UnknownHostException impossible) {
            return Optional.empty();
        }
    }

    /** One part's value, or -1 when it is not a number (or absurdly long). */
    private static long number(String part) {
        if (part.isEmpty() || part.length() > 12) {
            return -1;
        }
        int radix = 10;
        String digits = part;
        if (part.startsWith("0x") || part.startsWith("0X")) {
            radix = 16;
            digits = part.substring(2);
            if (digits.isEmpty()) {
                return 0;
            }
        } else if (part.length() > 1 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            value = value * radix + d;
        }
        return value;
    }
}
