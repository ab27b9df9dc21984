package ai.meridian.support.nettyhttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    @Test
    void millisecondsWinOverSecondsAndSecondsMayHaveFractions() {
        assertThat(RetryAfter.of(headers("retry-after-ms", "250", "retry-after", "3"))).isEqualTo(Duration.ofMillis(250));
        assertThat(RetryAfter.of(headers("retry-after", "1.5"))).isEqualTo(Duration.ofMillis(1500));
        assertThat(RetryAfter.of(headers("retry-after-ms", "soon", "retry-after", "2"))).isEqualTo(Duration.ofSeconds(2));
        assertThat(RetryAfter.of(headers("retry-after", "-4"))).isEqualTo(Duration.ZERO);
    }

    @Test
    void anHttpDateIsTheWaitUntilThenAndAPastOrUnreadableOneIsNoneOrZero() {
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        assertThat(RetryAfter.of(headers("retry-after", inAMinute))).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).minusSeconds(60));
        assertThat(RetryAfter.of(headers("retry-after", past))).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.of(headers("retry-after", "tomorrow"))).isNull();
        assertThat(RetryAfter.of(headers())).isNull();
    }
}
