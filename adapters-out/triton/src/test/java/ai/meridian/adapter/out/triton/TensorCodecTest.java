package ai.meridian.adapter.out.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.adapter.out.triton.proto.InferTensorContents;
import com.google.protobuf.ByteString;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorCodecTest {

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static ByteString bytes(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    @Test
    void bytesElementsAreLittleEndianLengthPrefixedUtf8() {
        ByteString raw = TensorCodec.encodeBytes(List.of("hello", "你好", ""));
        assertThat(hex(raw)).isEqualTo("05000000" + "68656c6c6f" + "06000000" + "e4bda0e5a5bd" + "00000000");
    }

    @Test
    void bytesRoundTripKeepsEveryCharacter() {
        List<String> texts = List.of("plain", "中文：你好，世界！", "emoji 🙂 and \"quotes\"\n", "", "x".repeat(70_000));
        List<ByteString> decoded = TensorCodec.decodeBytes(TensorCodec.encodeBytes(texts));
        assertThat(decoded).extracting(ByteString::toStringUtf8).containsExactlyElementsOf(texts);
    }

    @Test
    void aLengthRunningPastTheEndIsRefused() {
        assertThatThrownBy(() -> TensorCodec.decodeBytes(bytes("0a000000" + "6869")))
                .isInstanceOf(TritonProtocolException.class).hasMessageContaining("10 bytes");
        assertThatThrownBy(() -> TensorCodec.decodeBytes(bytes("050000")))
                .isInstanceOf(TritonProtocolException.class).hasMessageContaining("length prefix");
        assertThatThrownBy(() -> TensorCodec.decodeBytes(bytes("ffffffff")))
                .isInstanceOf(TritonProtocolException.class).hasMessageContaining("4294967295");
    }

    @Test
    void numbersAreWrittenInTheModelsDatatypeLittleEndian() {
        assertThat(hex(TensorCodec.encodeInteger("INT32", 300))).isEqualTo("2c010000");
        assertThat(hex(TensorCodec.encodeInteger("UINT32", 4_000_000_000L))).isEqualTo("00286bee");
        assertThat(hex(TensorCodec.encodeInteger("INT64", -2))).isEqualTo("feffffffffffffff");
        assertThat(hex(TensorCodec.encodeInteger("UINT64", 7))).isEqualTo("0700000000000000");
        assertThat(hex(TensorCodec.encodeInteger("UINT8", 255))).isEqualTo("ff");
        assertThat(hex(TensorCodec.encodeInteger("INT16", -1))).isEqualTo("ffff");
        assertThat(hex(TensorCodec.encodeReal("FP32", 0.5))).isEqualTo("0000003f");
        assertThat(hex(TensorCodec.encodeReal("FP64", 1.0))).isEqualTo("000000000000f03f");
        assertThat(hex(TensorCodec.encodeFlag(true))).isEqualTo("01");
        assertThat(hex(TensorCodec.encodeFlag(false))).isEqualTo("00");
    }

    @Test
    void aValueTheDatatypeCannotHoldIsRefused() {
        assertThatThrownBy(() -> TensorCodec.encodeInteger("UINT64", -5)).hasMessageContaining("-5 does not fit the model's UINT64");
        assertThatThrownBy(() -> TensorCodec.encodeInteger("INT32", 1L << 40)).hasMessageContaining("INT32");
        assertThatThrownBy(() -> TensorCodec.encodeInteger("UINT8", 256)).hasMessageContaining("UINT8");
        assertThatThrownBy(() -> TensorCodec.encodeInteger("FP32", 1)).hasMessageContaining("not an integer datatype");
        assertThatThrownBy(() -> TensorCodec.encodeReal("FP16", 1)).hasMessageContaining("not a floating-point datatype");
    }

    @Test
    void integerOutputsAreReadRawOrTyped() {
        assertThat(TensorCodec.decodeFirstInteger("UINT32", bytes("ffffffff" + "01000000"))).isEqualTo(4_294_967_295L);
        assertThat(TensorCodec.decodeFirstInteger("INT32", bytes("ffffffff"))).isEqualTo(-1);
        assertThat(TensorCodec.decodeFirstInteger("INT64", bytes("2a00000000000000"))).isEqualTo(42);
        assertThat(TensorCodec.decodeFirstInteger("UINT16", bytes("ffff"))).isEqualTo(65_535);
        assertThat(TensorCodec.decodeFirstInteger("UINT32", ByteString.EMPTY)).isEqualTo(-1);
        assertThat(TensorCodec.decodeFirstInteger(InferTensorContents.newBuilder().addUintContents(-1).build())).isEqualTo(4_294_967_295L);
        assertThat(TensorCodec.decodeFirstInteger(InferTensorContents.newBuilder().addInt64Contents(17).build())).isEqualTo(17);
        assertThat(TensorCodec.decodeFirstInteger(InferTensorContents.getDefaultInstance())).isEqualTo(-1);
    }
}
