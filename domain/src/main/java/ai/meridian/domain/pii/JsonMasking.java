package ai.meridian.domain.pii;

import java.util.function.UnaryOperator;

/**
 * Masks personal data inside a JSON text (tool-call arguments, a content part with fields of its own) without breaking
 * it: each string value is decoded, masked, and written back (escaped as JSON needs) only when something was found;
 * a number that holds personal data (a phone or ID card number written as a number) becomes a JSON string holding its
 * placeholder, since a placeholder is not a number. Object keys, {@code true}, {@code false}, {@code null} and the layout
 * are kept as written. One linear pass with a stack of open containers (no recursion, so depth costs nothing); text
 * that is not one well-formed JSON value gives {@code null}, for the caller to mask it as plain text.
 */
final class JsonMasking {
    /** Deeper nesting than this is not JSON this gateway passes on anyway: masked as plain text instead. */
    private static final int MAX_DEPTH = 1000;

    private final String json;
    private final UnaryOperator<String> mask;
    private final StringBuilder out;
    private int at;
    private int copied;
    private boolean changed;

    private JsonMasking(String json, UnaryOperator<String> mask) {
        this.json = json;
        this.mask = mask;
        this.out = new StringBuilder(json.length() + 32);
    }

    /** {@code json} with {@code mask} applied to its string values and numbers; {@code null} when it is not well-formed JSON. */
    static String mask(String json, UnaryOperator<String> mask) {
        try {
            return new JsonMasking(json, mask).run();
        } catch (Malformed e) {
            return null;
        }
    }

    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super(null, null, false, false);
        }
    }

    private String run() throws Malformed {
        boolean[] objects = new boolean[16]; // the open containers: true for an object, false for an array
        int depth = 0;
        boolean expectValue = true;
        while (true) {
            skipSpace();
            if (expectValue) {
                int opened = value();
                if (opened == 0) {
                    expectValue = false;
                    continue;
                }
                if (depth == MAX_DEPTH) {
                    throw new Malformed();
                }
                if (depth == objects.length) {
                    objects = java.util.Arrays.copyOf(objects, depth * 2);
                }
                boolean object = opened == 1;
                objects[depth++] = object;
                skipSpace();
                if (at < json.length() && json.charAt(at) == (object ? '}' : ']')) {
                    at++;
                    depth--;
                    expectValue = false;
                } else if (object) {
                    key();
                }
                continue;
            }
            if (depth == 0) {
                if (at != json.length()) {
                    throw new Malformed();
                }
                break;
            }
            if (at >= json.length()) {
                throw new Malformed();
            }
            char c = json.charAt(at++);
            boolean object = objects[depth - 1];
            if (c == ',') {
                if (object) {
                    key();
                }
                expectValue = true;
            } else if (c == (object ? '}' : ']')) {
                depth--;
            } else {
                throw new Malformed();
            }
        }
        if (!changed) {
            return json;
        }
        return out.append(json, copied, json.length()).toString();
    }

    /** Reads a key and its colon. */
    private void key() throws Malformed {
        skipSpace();
        if (at >= json.length() || json.charAt(at) != '"') {
            throw new Malformed();
        }
        string(false);
        skipSpace();
        if (at >= json.length() || json.charAt(at) != ':') {
            throw new Malformed();
        }
        at++;
        skipSpace();
    }

    /**
     * Reads one value; answers 1 when it opened an object, 2 when it opened an array (the opening bracket is consumed,
     * its contents not), 0 for a complete scalar.
     */
    private int value() throws Malformed {
        skipSpace();
        if (at >= json.length()) {
            throw new Malformed();
        }
        char c = json.charAt(at);
        switch (c) {
            case '{':
                at++;
                return 1;
            case '[':
                at++;
                return 2;
            case '"':
                string(true);
                return 0;
            case 't':
                literal("true");
                return 0;
            case 'f':
                literal("false");
                return 0;
            case 'n':
                literal("null");
                return 0;
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    number();
                    return 0;
                }
                throw new Malformed();
        }
    }

    private void literal(String word) throws Malformed {
        if (!json.startsWith(word, at)) {
            throw new Malformed();
        }
        at += word.length();
    }

    private void number() throws Malformed {
        int start = at;
        if (json.charAt(at) == '-') {
            at++;
        }
        int digits = digits();
        if (digits == 0 || digits > 1 && json.charAt(at - digits) == '0') {
            throw new Malformed();
        }
        if (at < json.length() && json.charAt(at) == '.') {
            at++;
            if (digits() == 0) {
                throw new Malformed();
            }
        }
        if (at < json.length() && (json.charAt(at) == 'e' || json.charAt(at) == 'E')) {
            at++;
            if (at < json.length() && (json.charAt(at) == '+' || json.charAt(at) == '-')) {
                at++;
            }
            if (digits() == 0) {
                throw new Malformed();
            }
        }
        String token = json.substring(start, at);
        String masked = mask.apply(token);
        if (!masked.equals(token)) {
            replace(start, at, quote(masked));
        }
    }

    private int digits() {
        int start = at;
        while (at < json.length() && json.charAt(at) >= '0' && json.charAt(at) <= '9') {
            at++;
        }
        return at - start;
    }

    /** Reads a string; a value's text is masked (a key's is not). */
    private void string(boolean masked) throws Malformed {
        int start = at;
        at++;
        StringBuilder decoded = null;
        int plain = at;
        while (true) {
            if (at >= json.length()) {
                throw new Malformed();
            }
            char c = json.charAt(at);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw new Malformed();
            }
            if (c == '\\') {
                if (decoded == null) {
                    decoded = new StringBuilder(32);
                }
                decoded.append(json, plain, at);
                if (at + 1 >= json.length()) {
                    throw new Malformed();
                }
                char e = json.charAt(at + 1);
                switch (e) {
                    case '"', '\\', '/' -> decoded.append(e);
                    case 'b' -> decoded.append('\b');
                    case 'f' -> decoded.append('\f');
                    case 'n' -> decoded.append('\n');
                    case 'r' -> decoded.append('\r');
                    case 't' -> decoded.append('\t');
                    case 'u' -> {
                        if (at + 6 > json.length()) {
                            throw new Malformed();
                        }
                        int code = 0;
                        for (int i = at + 2; i < at + 6; i++) {
                            int d = Character.digit(json.charAt(i), 16);
                            if (d < 0) {
                                throw new Malformed();
                            }
                            code = code * 16 + d;
                        }
                        decoded.append((char) code);
                        at += 4;
                    }
                    default -> throw new Malformed();
                }
                at += 2;
                plain = at;
                continue;
            }
            at++;
        }
        int end = at;
        at++;
        if (!masked) {
            return;
        }
        String text = decoded == null ? json.substring(start + 1, end) : decoded.append(json, plain, end).toString();
        String result = mask.apply(text);
        if (!result.equals(text)) {
            replace(start, at, quote(result));
        }
    }

    private void replace(int start, int end, String with) {
        out.append(json, copied, start).append(with);
        copied = end;
        changed = true;
    }

    /** A JSON string literal of {@code text}. */
    static String quote(String text) {
        StringBuilder q = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    private void skipSpace() {
        while (at < json.length()) {
            char c = json.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }
}
