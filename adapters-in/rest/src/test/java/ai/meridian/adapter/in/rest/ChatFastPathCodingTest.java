package ai.meridian.adapter.in.rest;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.adapter.in.rest.ChatFastPath.Coding;
import org.junit.jupiter.api.Test;

/** The fast path compresses only where the framework would choose gzip (or nothing), and leaves the rest to it. */
class ChatFastPathCodingTest {

    @Test
    void noOrIdentityEncodingMeansUncompressed() {
        assertThat(ChatFastPath.coding(null)).isEqualTo(Coding.IDENTITY);
        assertThat(ChatFastPath.coding("")).isEqualTo(Coding.IDENTITY);
        assertThat(ChatFastPath.coding("identity")).isEqualTo(Coding.IDENTITY);
        assertThat(ChatFastPath.coding("gzip;q=0, identity")).isEqualTo(Coding.IDENTITY);
    }

    @Test
    void gzipWhereTheFrameworkWouldPickIt() {
        assertThat(ChatFastPath.coding("gzip")).isEqualTo(Coding.GZIP);
        assertThat(ChatFastPath.coding("gzip, deflate")).isEqualTo(Coding.GZIP);
        assertThat(ChatFastPath.coding("deflate;q=0.5, gzip")).isEqualTo(Coding.GZIP);
        assertThat(ChatFastPath.coding("br;q=0, zstd;q=0, snappy;q=0, *")).isEqualTo(Coding.GZIP);
    }

    @Test
    void anyOtherChoiceIsTheFrameworksToMake() {
        assertThat(ChatFastPath.coding("deflate")).isEqualTo(Coding.OTHER);
        assertThat(ChatFastPath.coding("gzip;q=0.5, deflate")).isEqualTo(Coding.OTHER);
        assertThat(ChatFastPath.coding("gzip, deflate, br")).isEqualTo(Coding.OTHER);
        assertThat(ChatFastPath.coding("gzip, zstd")).isEqualTo(Coding.OTHER);
        assertThat(ChatFastPath.coding("*")).isEqualTo(Coding.OTHER);
    }
}
