package ai.meridian.application.port.out.retrieval;

import java.util.regex.Pattern;

/** Names of vector spaces (an embedding model's name, e.g. {@code bge-small-zh-v1.5}): safe in field and vector names. */
public final class VectorSpaces {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private VectorSpaces() {
    }

    public static String check(String space) {
        if (space == null || !NAME.matcher(space).matches()) {
            throw new IllegalArgumentException("a vector space is named by 1 to 64 letters, digits, '.', '_' or '-': '" + space + "'");
        }
        return space;
    }
}
