package ai.meridian.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.pii.PiiMasker;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JSON log encoder as logback.xml configures it: personal data in a log line is masked once PII masking is on. */
class PiiLogMaskerTest {

    @AfterEach
    void off() {
        PiiLogMasker.use(null);
    }

    private static String encode(String message) {
        LoggerContext context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        MaskingJsonGeneratorDecorator decorator = new MaskingJsonGeneratorDecorator();
        decorator.addValueMasker(new PiiLogMasker());
        decorator.start(); // logback starts it when logback.xml configures it
        encoder.setJsonGeneratorDecorator(decorator);
        encoder.start();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("test"), Level.WARN, message, null, null);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void aLogLineIsMaskedOnlyWhenPiiMaskingIsOn() {
        String line = "upstream said: unknown user alice@example.com from 10.1.2.3, phone 13812345678";
        assertThat(encode(line)).contains("alice@example.com");
        PiiLogMasker.use(PiiMasker.builtIn());
        assertThat(encode(line)).contains("unknown user [EMAIL] from [IPV4], phone [CN_MOBILE]").doesNotContain("alice@example.com", "13812345678");
    }
}
