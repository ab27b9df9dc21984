package ai.meridian.support.nettyhttp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Incremental server-sent-events decoder: fed body pieces as they arrive (split anywhere, even inside a
 * UTF-8 character), it hands each complete event's data to the sink. Multiple {@code data:} lines join
 * with a newline; comments, {@code event:}, {@code id:} and {@code retry:} lines are skipped.
 */
public final class SseDecoder {
    /** Receives one event's data; the array is reused after the call returns. */
    public interface Sink {
        void onEvent(byte[] data, int length);
    }

    private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private byte[] line = new byte[512];
    private int lineLength;
    private byte[] data = new byte[1024];
    private int dataLength;
    private boolean hasData;

    /** Feeds bytes; throws {@link IllegalStateException} if an event grows past 8 MiB. */
    public void feed(ByteBuf bytes, Sink sink) {
        int end = bytes.writerIndex();
        for (int i = bytes.readerIndex(); i < end; i++) {
            byte b = bytes.getByte(i);
            if (b == '\n') {
                endLine(sink);
            } else {
                if (lineLength == line.length) {
                    line = grow(line, lineLength + 1);
                }
                line[lineLength++] = b;
            }
        }
        bytes.readerIndex(end);
    }

    /** Dispatches an event left without its closing blank line when the body ends. */
    public void finish(Sink sink) {
        if (lineLength > 0) {
            endLine(sink);
        }
        if (hasData) {
            dispatch(sink);
        }
    }

    private void endLine(Sink sink) {
        int length = lineLength;
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        lineLength = 0;
        if (length == 0) {
            if (hasData) {
                dispatch(sink);
            }
            return;
        }
        if (startsWith(line, length, "data")) {
            int from = 4;
            if (length > 4 && line[4] != ':') {
                return; // a field named e.g. "database"
            }
            from = length > 4 ? 5 : 4;
            if (from < length && line[from] == ' ') {
                from++;
            }
            if (hasData) {
                append((byte) '\n');
            }
            for (int i = from; i < length; i++) {
                append(line[i]);
            }
            hasData = true;
        }
    }

    private void dispatch(Sink sink) {
        hasData = false;
        int length = dataLength;
        dataLength = 0;
        sink.onEvent(data, length);
    }

    private void append(byte b) {
        if (dataLength == data.length) {
            if (dataLength >= MAX_EVENT_BYTES) {
                throw new IllegalStateException("server-sent event larger than " + MAX_EVENT_BYTES + " bytes");
            }
            data = grow(data, dataLength + 1);
        }
        data[dataLength++] = b;
    }

    private static boolean startsWith(byte[] bytes, int length, String prefix) {
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] grow(byte[] array, int needed) {
        return Arrays.copyOf(array, Math.max(needed, array.length * 2));
    }
}
