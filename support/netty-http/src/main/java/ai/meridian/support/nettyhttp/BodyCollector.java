package ai.meridian.support.nettyhttp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** Gathers a bounded response body; reports when the bound would be passed. */
public final class BodyCollector {
    private byte[] bytes = new byte[0];
    private int length;
    private final int limit;

    public BodyCollector(int limit) {
        this.limit = limit;
    }

    /** Adds the readable bytes; false when the body would exceed the limit (nothing is added then). */
    public boolean add(ByteBuf piece) {
        int n = piece.readableBytes();
        if (length + n > limit) {
            return false;
        }
        if (length + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + n, Math.max(1024, bytes.length * 2)));
        }
        piece.readBytes(bytes, length, n);
        length += n;
        return true;
    }

    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return length;
    }
}
