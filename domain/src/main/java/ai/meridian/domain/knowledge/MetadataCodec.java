package ai.meridian.domain.knowledge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadata as one string, for stores that keep it in a text column: every part is length-prefixed
 * ({@code 5:title t1:5:Guide}), so no character in a key or value needs escaping. {@code t} text (count, then the
 * strings), {@code n} number, {@code d} date (epoch milliseconds).
 */
public final class MetadataCodec {
    private MetadataCodec() {
    }

    public static String encode(DocumentMetadata metadata) {
        StringBuilder out = new StringBuilder();
        metadata.values().forEach((key, value) -> {
            part(out, key);
            if (value instanceof MetadataValue.Text text) {
                out.append('t').append(text.values().size()).append(':');
                text.values().forEach(s -> part(out, s));
            } else if (value instanceof MetadataValue.Number n) {
                out.append('n');
                part(out, Double.toString(n.value()));
            } else {
                out.append('d');
                part(out, Long.toString(((MetadataValue.Date) value).value().toEpochMilli()));
            }
        });
        return out.toString();
    }

    public static DocumentMetadata decode(String encoded) {
        if (encoded == null || encoded.isEmpty()) {
            return DocumentMetadata.EMPTY;
        }
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        int[] at = {0};
        while (at[0] < encoded.length()) {
            String key = part(encoded, at);
            char kind = encoded.charAt(at[0]++);
            if (kind == 't') {
                int colon = encoded.indexOf(':', at[0]);
                int count = Integer.parseInt(encoded.substring(at[0], colon));
                at[0] = colon + 1;
                List<String> strings = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    strings.add(part(encoded, at));
                }
                values.put(key, new MetadataValue.Text(strings));
            } else if (kind == 'n') {
                values.put(key, new MetadataValue.Number(Double.parseDouble(part(encoded, at))));
            } else if (kind == 'd') {
                values.put(key, new MetadataValue.Date(Instant.ofEpochMilli(Long.parseLong(part(encoded, at)))));
            } else {
                throw new IllegalArgumentException("unreadable metadata at " + at[0]);
            }
        }
        return new DocumentMetadata(values);
    }

    private static void part(StringBuilder out, String s) {
        out.append(s.length()).append(':').append(s);
    }

    private static String part(String encoded, int[] at) {
        int colon = encoded.indexOf(':', at[0]);
        int length = Integer.parseInt(encoded.substring(at[0], colon));
        String s = encoded.substring(colon + 1, colon + 1 + length);
        at[0] = colon + 1 + length;
        return s;
    }
}
