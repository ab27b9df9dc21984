package ai.meridian.bootstrap;

import java.util.Locale;

/** Sizes in configuration: a number of bytes, or with a unit ({@code KB}, {@code MB}, {@code GB}; powers of 1024). */
final class ByteSizes {
    private ByteSizes() {
    }

    static long parse(String key, String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT).replace(" ", "");
        long factor = 1;
        for (String[] unit : new String[][] {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"KB", "1024"},
                {"MB", "1048576"}, {"GB", "1073741824"}, {"K", "1024"}, {"M", "1048576"}, {"G", "1073741824"}, {"B", "1"}}) {
            if (v.endsWith(unit[0])) {
                factor = Long.parseLong(unit[1]);
                v = v.substring(0, v.length() - unit[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + " must be a size such as 1048576, 512KB or 64MB, not '" + value + "'");
        }
    }
}
