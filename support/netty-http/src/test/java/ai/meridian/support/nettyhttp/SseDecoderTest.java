package ai.meridian.support.nettyhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {

    private static List<String> decode(String stream, int pieceSize) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        SseDecoder decoder = new SseDecoder();
        List<String> events = new ArrayList<>();
        SseDecoder.Sink sink = (data, length) -> events.add(new String(data, 0, length, StandardCharsets.UTF_8));
        for (int i = 0; i < bytes.length; i += pieceSize) {
            decoder.feed(Unpooled.wrappedBuffer(bytes, i, Math.min(pieceSize, bytes.length - i)), sink);
        }
        decoder.finish(sink);
        return events;
    }

    @Test
    void splitsEventsWhereverTheBytesAreCut() {
        String stream = "data: {\"a\":\"你好\"}\n\n: keep-alive comment\n\nevent: message\ndata: line1\ndata: line2\r\n\r\ndata:[DONE]\n\n";
        for (int size = 1; size <= stream.length(); size++) {
            assertThat(decode(stream, size)).as("piece size %d", size)
                    .containsExactly("{\"a\":\"你好\"}", "line1\nline2", "[DONE]");
        }
    }

    @Test
    void aFinalEventWithoutItsBlankLineIsStillDelivered() {
        assertThat(decode("data: last", 3)).containsExactly("last");
    }

    @Test
    void fieldsThatOnlyStartWithDataAreIgnored() {
        assertThat(decode("database: x\n\ndata: y\n\n", 4)).containsExactly("y");
    }
}
