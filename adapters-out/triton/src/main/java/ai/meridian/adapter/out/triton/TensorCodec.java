package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.InferTensorContents;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The KServe v2 raw tensor encoding: little-endian numbers, and BYTES elements each as a 4-byte
 * little-endian length followed by the bytes. Reads outputs from either raw contents or typed contents.
 */
final class TensorCodec {
    static final String BYTES = "BYTES";
    static final String BOOL = "BOOL";
    static final Set<String> INTEGER_TYPES = Set.of("INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");
    static final Set<String> REAL_TYPES = Set.of("FP32", "FP64");

    private TensorCodec() {
    }

    static ByteString encodeBytes(List<String> elements) {
        List<byte[]> encoded = new ArrayList<>(elements.size());
        int size = 0;
        for (String element : elements) {
            byte[] bytes = element.getBytes(StandardCharsets.UTF_8);
            encoded.add(bytes);
            size += 4 + bytes.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] bytes : encoded) {
            buffer.putInt(bytes.length).put(bytes);
        }
        return ByteString.copyFrom(buffer.array());
    }

    /** The elements of a raw BYTES tensor; throws {@link TritonProtocolException} when a length runs past the end. */
    static List<ByteString> decodeBytes(ByteString raw) {
        ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<ByteString> elements = new ArrayList<>(1);
        while (buffer.hasRemaining()) {
            if (buffer.remaining() < 4) {
                throw new TritonProtocolException("BYTES tensor ends inside a length prefix");
            }
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new TritonProtocolException("BYTES element of " + Integer.toUnsignedString(length)
                        + " bytes runs past the tensor's " + buffer.remaining() + " remaining bytes");
            }
            int start = buffer.position();
            elements.add(raw.substring(start, start + length));
            buffer.position(start + length);
        }
        return elements;
    }

    static ByteString encodeFlag(boolean value) {
        return ByteString.copyFrom(new byte[] {(byte) (value ? 1 : 0)});
    }

    /** One whole number in the tensor's integer datatype; refuses values the type cannot hold. */
    static ByteString encodeInteger(String datatype, long value) {
        ByteBuffer b;
        switch (datatype) {
            case "INT8":
            case "UINT8":
                b = ByteBuffer.allocate(1).put((byte) fit(datatype, value, datatype.startsWith("U") ? 0 : Byte.MIN_VALUE, datatype.startsWith("U") ? 0xFF : Byte.MAX_VALUE));
                break;
            case "INT16":
            case "UINT16":
                b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN)
                        .putShort((short) fit(datatype, value, datatype.startsWith("U") ? 0 : Short.MIN_VALUE, datatype.startsWith("U") ? 0xFFFF : Short.MAX_VALUE));
                break;
            case "INT32":
                b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) fit(datatype, value, Integer.MIN_VALUE, Integer.MAX_VALUE));
                break;
            case "UINT32":
                b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) fit(datatype, value, 0, 0xFFFF_FFFFL));
                break;
            case "INT64":
                b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
                break;
            case "UINT64":
                b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(fit(datatype, value, 0, Long.MAX_VALUE));
                break;
            default:
                throw new IllegalArgumentException(datatype + " is not an integer datatype");
        }
        return ByteString.copyFrom(b.array());
    }

    static ByteString encodeReal(String datatype, double value) {
        switch (datatype) {
            case "FP32":
                return ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat((float) value).array());
            case "FP64":
                return ByteString.copyFrom(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
            default:
                throw new IllegalArgumentException(datatype + " is not a floating-point datatype");
        }
    }

    /** The first element of an integer tensor given raw, or -1 when the tensor is empty. */
    static long decodeFirstInteger(String datatype, ByteString raw) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int width = width(datatype);
        if (b.remaining() < width) {
            return -1;
        }
        switch (datatype) {
            case "INT8":
                return b.get();
            case "UINT8":
                return Byte.toUnsignedLong(b.get());
            case "INT16":
                return b.getShort();
            case "UINT16":
                return Short.toUnsignedLong(b.getShort());
            case "INT32":
                return b.getInt();
            case "UINT32":
                return Integer.toUnsignedLong(b.getInt());
            default:
                return b.getLong();
        }
    }

    /** The first element of an integer tensor given as typed contents, or -1 when there is none. */
    static long decodeFirstInteger(InferTensorContents contents) {
        if (contents.getIntContentsCount() > 0) {
            return contents.getIntContents(0);
        }
        if (contents.getUintContentsCount() > 0) {
            return Integer.toUnsignedLong(contents.getUintContents(0));
        }
        if (contents.getInt64ContentsCount() > 0) {
            return contents.getInt64Contents(0);
        }
        if (contents.getUint64ContentsCount() > 0) {
            return contents.getUint64Contents(0);
        }
        return -1;
    }

    private static int width(String datatype) {
        switch (datatype) {
            case "INT8":
            case "UINT8":
                return 1;
            case "INT16":
            case "UINT16":
                return 2;
            case "INT32":
            case "UINT32":
                return 4;
            case "INT64":
            case "UINT64":
                return 8;
            default:
                throw new TritonProtocolException(datatype + " is not an integer datatype");
        }
    }

    private static long fit(String datatype, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " does not fit the model's " + datatype + " input");
        }
        return value;
    }
}
