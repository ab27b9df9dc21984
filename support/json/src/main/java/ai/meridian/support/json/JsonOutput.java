package ai.meridian.support.json;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes one JSON document with a streaming generator (no object mapping): the wire writers of every door and the
 * stores' document codecs build their JSON with it. Writing needs no limits, so one plain factory serves all.
 */
public final class JsonOutput {
    private JsonOutput() {
    }

    /** What is written between opening and closing the generator. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    public static byte[] bytes(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = RawJson.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static String string(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = RawJson.FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
