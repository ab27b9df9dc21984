package ai.meridian.adapter.out.triton;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamedTextTest {

    private static List<String> feed(StreamedText text, byte[]... pieces) {
        List<String> out = new ArrayList<>();
        for (byte[] piece : pieces) {
            out.add(text.next(ByteString.copyFrom(piece)));
        }
        out.add(text.finish());
        return out;
    }

    @Test
    void aCharacterSplitAcrossResponsesWaitsUntilItIsWhole() {
        byte[] bytes = "你好".getBytes(StandardCharsets.UTF_8); // e4 bd a0 e5 a5 bd
        List<String> out = feed(new StreamedText(StreamedText.Mode.DELTA),
                new byte[] {bytes[0], bytes[1]}, new byte[] {bytes[2], bytes[3]}, new byte[] {bytes[4], bytes[5]});
        assertThat(out).containsExactly("", "你", "好", "");
    }

    @Test
    void deltasOfEveryLengthJoinToTheText() {
        String answer = "Grüße, 世界! 🙂 done";
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        for (int size = 1; size <= bytes.length; size++) {
            StreamedText text = new StreamedText(StreamedText.Mode.DELTA);
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < bytes.length; i += size) {
                joined.append(text.next(ByteString.copyFrom(bytes, i, Math.min(size, bytes.length - i))));
            }
            joined.append(text.finish());
            assertThat(joined).as("pieces of %d bytes", size).hasToString(answer);
        }
    }

    @Test
    void anIncompleteCharacterAtTheEndBecomesAReplacementCharacter() {
        assertThat(feed(new StreamedText(StreamedText.Mode.DELTA), "ok".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xe4, (byte) 0xbd}))
                .containsExactly("ok", "", "\uFFFD");
    }

    @Test
    void cumulativeResponsesYieldOnlyWhatIsNew() {
        List<String> out = feed(new StreamedText(StreamedText.Mode.CUMULATIVE),
                "Hel".getBytes(StandardCharsets.UTF_8), "Hello".getBytes(StandardCharsets.UTF_8),
                "Hello".getBytes(StandardCharsets.UTF_8), "Hello, 世界".getBytes(StandardCharsets.UTF_8));
        assertThat(out).containsExactly("Hel", "lo", "", ", 世界", "");
    }
}
