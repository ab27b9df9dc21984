package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.EmbedTextsUseCase.EmbeddedTexts;
import ai.meridian.support.inboundhttp.Json;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** Writes OpenAI's embeddings response: a list of {@code embedding} objects, the model, and usage. */
final class EmbeddingsJson {
    private EmbeddingsJson() {
    }

    static byte[] response(EmbeddedTexts result, boolean base64) {
        int dims = result.vectors().isEmpty() ? 0 : result.vectors().get(0).length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + result.vectors().size() * (base64 ? dims * 6 : dims * 12));
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (int i = 0; i < result.vectors().size(); i++) {
                float[] vector = result.vectors().get(i);
                g.writeStartObject();
                g.writeStringField("object", "embedding");
                g.writeNumberField("index", i);
                g.writeFieldName("embedding");
                if (base64) {
                    g.writeString(encode(vector));
                } else {
                    g.writeStartArray();
                    for (float v : vector) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("model", result.model());
            g.writeObjectFieldStart("usage");
            g.writeNumberField("prompt_tokens", result.promptTokens());
            g.writeNumberField("total_tokens", result.promptTokens());
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Little-endian float32s, base64-encoded, as OpenAI's SDKs decode them. */
    static String encode(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            bytes.putFloat(v);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
