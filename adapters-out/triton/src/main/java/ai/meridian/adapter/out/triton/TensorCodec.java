package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.InferTensorContents;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The KServe v2 raw tensor encoding: little-endian numbers, and BYTES elements each as a 4-byte
 * little-endian length followed by the bytes. Reads outputs from either raw contents or typed contents.
 */
final class TensorCodec {
    static final String BYTES = "BYTES";
    static final String BOOL = "BOOL";

    /** Width in bytes and value range of each integer datatype (UINT64 limited to what a long holds). */
    record IntegerType(int width, long min, long max) {
    }

    static final Map<String, IntegerType> INTEGER_TYPES = Map.of(
            "INT8", new IntegerType(1, Byte.MIN_VALUE, Byte.MAX_VALUE),
            "UINT8", new IntegerType(1, 0, 0xFF),
            "INT16", new IntegerType(2, Short.MIN_VALUE, Short.MAX_VALUE),
            "UINT16", new IntegerType(2, 0, 0xFFFF),
            "INT32", new IntegerType(4, Integer.MIN_VALUE, Integer.MAX_VALUE),
            "UINT32", new IntegerType(4, 0, 0xFFFF_FFFFL),
            "INT64", new IntegerType(8, Long.MIN_VALUE, Long.MAX_VALUE),
            "UINT64", new IntegerType(8, 0, Long.MAX_VALUE));
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
        IntegerType type = integerType(datatype, IllegalArgumentException::new);
        if (value < type.min() || value > type.max()) {
            throw new IllegalArgumentException(value + " does not fit the model's " + datatype + " input");
        }
        byte[] bytes = new byte[type.width()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return ByteString.copyFrom(bytes);
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
        IntegerType type = integerType(datatype, TritonProtocolException::new);
        if (raw.size() < type.width()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < type.width(); i++) {
            value |= (raw.byteAt(i) & 0xFFL) << (8 * i);
        }
        int unused = 64 - 8 * type.width();
        return type.min() < 0 ? (value << unused) >> unused : value;
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

    /** How many elements a raw integer tensor holds. */
    static long countIntegers(String datatype, ByteString raw) {
        return raw.size() / integerType(datatype, TritonProtocolException::new).width();
    }

    /** How many elements an integer tensor given as typed contents holds. */
    static long countIntegers(InferTensorContents contents) {
        return (long) contents.getIntContentsCount() + contents.getUintContentsCount() + contents.getInt64ContentsCount()
                + contents.getUint64ContentsCount();
    }

    private static IntegerType integerType(String datatype, Function<String, RuntimeException> problem) {
        IntegerType type = INTEGER_TYPES.get(datatype);
        if (type == null) {
            throw problem.apply(datatype + " is not an integer datatype");
        }
        return type;
    }
}
