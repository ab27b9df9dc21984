package ai.meridian.adapter.out.triton;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns the {@code text_output} of successive responses into the new text of each. In {@code delta}
 * mode every response carries only new text, and a UTF-8 character split across two responses is
 * held back until it is whole; in {@code cumulative} mode every response repeats the text so far.
 */
final class StreamedText {

    /** How a model's successive responses relate. */
    enum Mode {
        /** Each response holds only the new text (TensorRT-LLM, the vLLM backend since 24.08). */
        DELTA,
        /** Each response holds all text so far (older vLLM backends). */
        CUMULATIVE
    }

    private final Mode mode;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] pending = new byte[0];
    private int emittedChars;

    StreamedText(Mode mode) {
        this.mode = mode;
    }

    /** The new text this response adds; empty when it adds none (yet). */
    String next(ByteString element) {
        String added;
        if (mode == Mode.CUMULATIVE) {
            String all = element.toStringUtf8();
            added = all.length() > emittedChars ? all.substring(emittedChars) : "";
        } else {
            added = decodeHoldingIncompleteTail(element);
        }
        emittedChars += added.length();
        return added;
    }

    /** What is left at the end: an incomplete character becomes U+FFFD rather than vanishing. */
    String finish() {
        if (pending.length == 0) {
            return "";
        }
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        emittedChars += rest.length();
        return rest;
    }

    private String decodeHoldingIncompleteTail(ByteString element) {
        ByteBuffer in;
        if (pending.length == 0) {
            in = element.asReadOnlyByteBuffer();
        } else {
            byte[] joined = new byte[pending.length + element.size()];
            System.arraycopy(pending, 0, joined, 0, pending.length);
            element.copyTo(joined, pending.length);
            in = ByteBuffer.wrap(joined);
        }
        CharBuffer out = CharBuffer.allocate(in.remaining());
        decoder.reset();
        decoder.decode(in, out, false);
        pending = new byte[in.remaining()];
        in.get(pending);
        return out.flip().toString();
    }
}
