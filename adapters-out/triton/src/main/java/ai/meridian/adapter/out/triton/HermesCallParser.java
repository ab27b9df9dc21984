package ai.meridian.adapter.out.triton;

import java.util.function.Supplier;

/**
 * Reads a Hermes/Qwen model's output as it streams: text outside {@code <tool_call>…</tool_call>} is answer
 * text, each call's JSON object {@code {"name": …, "arguments": …}} becomes a tool call. The name is reported
 * as soon as it is complete (with a generated id), the arguments value is passed on piece by piece as the model
 * writes it, never gathered to the end. A call ends at {@code </tool_call>} (as vLLM's {@code hermes} parser
 * ends it), at the next {@code <tool_call>}, or at the end of the output.
 *
 * <p>What is held back, and only while undecided: a possible beginning of a tag at the end of a piece, and
 * whitespace that may turn out to be the template's line break around a tag (which is formatting, not answer
 * text). A call whose JSON never names a function is not a call: its text is passed on as answer text, tags
 * included, so nothing the model wrote is lost. Not thread-safe: one answer's pieces arrive one at a time.
 */
final class HermesCallParser {

    /** Where the parsed answer goes. */
    interface Sink {
        /** Answer text (outside calls). */
        void answer(String text);

        /** A call opens: its index among this answer's calls, its id and the function's name. */
        void open(int index, String id, String name);

        /** A piece of the call's arguments (JSON text as the model writes it). */
        void arguments(int index, String piece);
    }

    private static final String OPEN = HermesPrompt.CALL_OPEN;
    private static final String CLOSE = HermesPrompt.CALL_CLOSE;

    private final Sink sink;
    private final Supplier<String> ids;
    private final boolean singleCall;
    private final StringBuilder pending = new StringBuilder();
    private Call call;
    private boolean afterCall;
    private int calls;
    private boolean done;

    /** {@code singleCall}: the answer ends with its first call (legacy {@code functions}, {@code parallel_tool_calls: false}). */
    HermesCallParser(Sink sink, Supplier<String> ids, boolean singleCall) {
        this.sink = sink;
        this.ids = ids;
        this.singleCall = singleCall;
    }

    /** Calls made so far (opened with a name). */
    int calls() {
        return calls;
    }

    /** True once a single-call answer has its call: whatever the model writes after it is not part of the answer. */
    boolean done() {
        return done;
    }

    void feed(String piece) {
        if (done || piece.isEmpty()) {
            return;
        }
        pending.append(piece);
        process(false);
    }

    /** The output ended: what was held back is decided now. */
    void finish() {
        if (!done) {
            process(true);
        }
    }

    private void process(boolean end) {
        while (!done) {
            if (call == null) {
                if (afterCall) {
                    int skip = 0;
                    while (skip < pending.length() && Character.isWhitespace(pending.charAt(skip))) {
                        skip++;
                    }
                    pending.delete(0, skip);
                    if (pending.length() == 0 && !end) {
                        return; // still only whitespace after the call: undecided
                    }
                    afterCall = pending.length() == 0;
                }
                int open = pending.indexOf(OPEN);
                if (open >= 0) {
                    emitText(stripTrailingWhitespace(pending, open));
                    pending.delete(0, open + OPEN.length());
                    call = new Call();
                    continue;
                }
                if (end) {
                    emitText(pending.toString());
                    pending.setLength(0);
                    return;
                }
                int keep = partialTagAtEnd(pending, OPEN);
                int cut = pending.length() - keep;
                while (cut > 0 && Character.isWhitespace(pending.charAt(cut - 1))) {
                    cut--;
                }
                emitText(pending.substring(0, cut));
                pending.delete(0, cut);
                return;
            }
            int close = pending.indexOf(CLOSE);
            int next = pending.indexOf(OPEN);
            int boundary = close < 0 ? next : next < 0 ? close : Math.min(close, next);
            if (boundary >= 0) {
                call.scan(pending, 0, boundary);
                boolean closed = boundary == close;
                pending.delete(0, closed ? boundary + CLOSE.length() : boundary);
                endCall(closed);
                continue;
            }
            int safe = end ? pending.length() : pending.length() - Math.max(partialTagAtEnd(pending, CLOSE), partialTagAtEnd(pending, OPEN));
            call.scan(pending, 0, safe);
            pending.delete(0, safe);
            call.flush();
            if (end) {
                endCall(false);
            }
            return;
        }
    }

    private void endCall(boolean closedByTag) {
        Call ended = call;
        call = null;
        afterCall = true;
        if (ended.opened()) {
            ended.finish();
            if (singleCall) {
                done = true;
                pending.setLength(0);
            }
        } else {
            // Not a call after all (no function name): what the model wrote stays answer text.
            emitText(OPEN + ended.raw + (closedByTag ? CLOSE : ""));
        }
    }

    private void emitText(String text) {
        if (!text.isEmpty()) {
            sink.answer(text);
        }
    }

    private static String stripTrailingWhitespace(CharSequence text, int end) {
        int cut = end;
        while (cut > 0 && Character.isWhitespace(text.charAt(cut - 1))) {
            cut--;
        }
        return text.subSequence(0, cut).toString();
    }

    /** The length of the longest end of {@code text} that is the beginning of {@code tag} (shorter than the tag). */
    private static int partialTagAtEnd(CharSequence text, String tag) {
        int max = Math.min(tag.length() - 1, text.length());
        for (int k = max; k > 0; k--) {
            boolean match = true;
            for (int i = 0; i < k; i++) {
                if (text.charAt(text.length() - k + i) != tag.charAt(i)) {
                    match = false;
                    break;
                }
            }
            if (match) {
                return k;
            }
        }
        return 0;
    }

    /** What the scanner of one call's JSON object expects next. */
    private enum State { START, KEY_OR_END, KEY, COLON, VALUE, NAME, ARGS_STRING, IN_VALUE, AFTER_VALUE, DONE, INVALID }

    /** The shape of a value being scanned: nested ({@code {…}}, {@code […]}), a string, or a bare scalar. */
    private enum Shape { NESTED, STRING, SCALAR }

    /** One call's JSON object, scanned character by character as it arrives. */
    private final class Call {
        final StringBuilder raw = new StringBuilder();
        private State state = State.START;
        private final StringBuilder key = new StringBuilder();
        /** A string literal being read (the name, or arguments given as a string), quotes included. */
        private final StringBuilder literal = new StringBuilder();
        private boolean escaped;
        // The value being scanned (IN_VALUE): its shape, nesting depth, whether inside one of its strings, and
        // whether it is the arguments (passed on) or another member (skipped).
        private Shape shape;
        private int depth;
        private boolean inString;
        private boolean isArguments;
        private String name;
        private int index = -1;
        private boolean argumentsSeen;
        /** Argument text not yet passed on (before the name is known, or within this piece). */
        private final StringBuilder arguments = new StringBuilder();

        boolean opened() {
            return index >= 0;
        }

        void scan(CharSequence text, int from, int to) {
            for (int i = from; i < to; i++) {
                char c = text.charAt(i);
                raw.append(c);
                step(c);
            }
        }

        private void step(char c) {
            switch (state) {
                case START -> {
                    if (c == '{') {
                        state = State.KEY_OR_END;
                    } else if (!Character.isWhitespace(c)) {
                        state = State.INVALID;
                    }
                }
                case KEY_OR_END -> {
                    if (c == '"') {
                        key.setLength(0);
                        escaped = false;
                        state = State.KEY;
                    } else if (c == '}') {
                        state = State.DONE;
                    } else if (!Character.isWhitespace(c) && c != ',') {
                        state = State.INVALID;
                    }
                }
                case KEY -> {
                    if (escaped) {
                        key.append(c);
                        escaped = false;
                    } else if (c == '\\') {
                        escaped = true;
                    } else if (c == '"') {
                        state = State.COLON;
                    } else {
                        key.append(c);
                    }
                }
                case COLON -> {
                    if (c == ':') {
                        state = State.VALUE;
                    } else if (!Character.isWhitespace(c)) {
                        state = State.INVALID;
                    }
                }
                case VALUE -> startValue(c);
                case NAME -> {
                    if (readLiteral(c)) {
                        nameComplete(decodeString(literal));
                    }
                }
                case ARGS_STRING -> {
                    if (readLiteral(c)) {
                        String decoded = decodeString(literal);
                        arguments.append(decoded == null ? literal : decoded);
                        state = State.AFTER_VALUE;
                    }
                }
                case IN_VALUE -> continueValue(c);
                case AFTER_VALUE -> {
                    if (c == ',') {
                        state = State.KEY_OR_END;
                    } else if (c == '}') {
                        state = State.DONE;
                    } else if (!Character.isWhitespace(c)) {
                        state = State.INVALID;
                    }
                }
                default -> {
                    // DONE, INVALID: the rest until the call's end is not read
                }
            }
        }

        private void startValue(char c) {
            if (Character.isWhitespace(c)) {
                return;
            }
            String k = key.toString();
            if (k.equals("name") && name == null) {
                if (c != '"') {
                    state = State.INVALID;
                    return;
                }
                literal.setLength(0);
                literal.append(c);
                escaped = false;
                state = State.NAME;
                return;
            }
            isArguments = k.equals("arguments") && !argumentsSeen;
            if (isArguments) {
                argumentsSeen = true;
                if (c == '"') {
                    literal.setLength(0);
                    literal.append(c);
                    escaped = false;
                    state = State.ARGS_STRING; // arguments written as a JSON string: passed on as the text it holds
                    return;
                }
                arguments.append(c);
            }
            escaped = false;
            inString = false;
            depth = 0;
            if (c == '{' || c == '[') {
                shape = Shape.NESTED;
                depth = 1;
            } else if (c == '"') {
                shape = Shape.STRING;
                inString = true;
            } else {
                shape = Shape.SCALAR;
            }
            state = State.IN_VALUE;
        }

        private void continueValue(char c) {
            if (shape == Shape.SCALAR && (c == ',' || c == '}' || Character.isWhitespace(c))) {
                state = State.AFTER_VALUE;
                step(c);
                return;
            }
            if (isArguments) {
                arguments.append(c);
            }
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                    if (shape == Shape.STRING) {
                        state = State.AFTER_VALUE;
                    }
                }
            } else if (shape == Shape.NESTED) {
                if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    state = State.AFTER_VALUE;
                }
            }
        }

        /** Adds {@code c} to the string literal being read; true when it was the closing quote. */
        private boolean readLiteral(char c) {
            literal.append(c);
            if (escaped) {
                escaped = false;
                return false;
            }
            if (c == '\\') {
                escaped = true;
                return false;
            }
            return c == '"';
        }

        private void nameComplete(String value) {
            if (value == null || value.isEmpty()) {
                state = State.INVALID;
                return;
            }
            state = State.AFTER_VALUE;
            name = value;
            index = calls++;
            sink.open(index, ids.get(), name);
            flush();
        }

        /** Passes on the argument text gathered so far (once the call is open). */
        void flush() {
            if (opened() && arguments.length() > 0) {
                sink.arguments(index, arguments.toString());
                arguments.setLength(0);
            }
        }

        /** The call ended: arguments that never came are an empty object, as OpenAI sends for a function without parameters. */
        void finish() {
            if (!argumentsSeen) {
                arguments.append("{}");
            }
            flush();
        }
    }

    /** The text a JSON string literal (quotes included) stands for, or null when it is malformed. */
    static String decodeString(CharSequence literal) {
        StringBuilder out = new StringBuilder(literal.length());
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (++i >= literal.length() - 1) {
                return null;
            }
            char e = literal.charAt(i);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 >= literal.length()) {
                        return null;
                    }
                    try {
                        out.append((char) Integer.parseInt(literal.subSequence(i + 1, i + 5).toString(), 16));
                    } catch (NumberFormatException bad) {
                        return null;
                    }
                    i += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return out.toString();
    }
}
