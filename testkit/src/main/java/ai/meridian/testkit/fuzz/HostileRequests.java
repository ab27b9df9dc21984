package ai.meridian.testkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Hostile HTTP/1.1 requests, as raw bytes, from a seed: the same seed gives the same requests. Each is one
 * of the gateway's endpoints with something wrong, or oddly right: JSON mutated (fields dropped, types
 * swapped, numbers huge, strings enormous, nesting deep, keys duplicated, bytes that are not UTF-8, lone
 * surrogates, truncation, trailing garbage), bodies compressed wrongly or not at all under a
 * {@code Content-Encoding}, multipart bodies with missing or broken part headers, bad or missing boundaries,
 * cut-off bodies and hostile file names, ids with path traversal and injection strings, and headers that
 * disagree with the body. A gateway must answer each with a status below 500 and without hanging.
 */
public final class HostileRequests {
    /** One request: what it is (for the report) and its bytes on the wire. */
    public record Request(String kind, String method, String path, byte[] bytes) {
    }

    static final String[] HOSTILE_IDS = {
        "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "....//....//", "' OR '1'='1", "1; DROP TABLE conversation; --",
        "\" OR \"\"=\"", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "%00", "a%00b", "%ff%fe", "%c0%af",
        "x".repeat(5000), "conv_" + "9".repeat(40), "%F0%9F%92%A9", "%E4%B8%AD%E6%96%87", "CON", "..", ".", "%20", "a/b/c", "~root",
        "$(id)", "`id`", "|id", "\\\\server\\share", "%25%32%65", "null", "undefined", "-1", "0x41", "1e309"
    };
    private static final String[] HOSTILE_STRINGS = {
        "\\u0000", "\\ud800", "\\udfff", "\\ud800\\ud800", "\\uffff", "\\\\", "</script>", "${jndi:ldap://x/a}", "' OR 1=1 --",
        "\\n\\r\\t", "\\u202e", "%s%s%s%n", "A".repeat(70_000), "中".repeat(20_000), "😀".repeat(5000)
    };
    private static final String[] HOSTILE_NUMBERS = {
        "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "-0", "0.0000000000000000000001", "9223372036854775808",
        "-9223372036854775809", "1.7976931348623157e309", "4.9e-325", "2147483648", "-2147483649", "0e0", "1E+2", "100000000000000000000e1"
    };
    private static final String[] TYPE_SWAPS = {"null", "true", "false", "[]", "{}", "\"\"", "\"x\"", "0", "-1", "1.5", "[null]", "[[]]",
        "{\"a\":{}}"};

    private final SplittableRandom random;
    private final String model;
    private final String embeddingModel;

    public HostileRequests(long seed, String model, String embeddingModel) {
        this.random = new SplittableRandom(seed);
        this.model = model;
        this.embeddingModel = embeddingModel;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** The next request. */
    public Request next() {
        int kind = random.nextInt(100);
        if (kind < 30) {
            return json("chat", "POST", "/v1/chat/completions", mutate(chatBody()));
        }
        if (kind < 38) {
            return json("embeddings", "POST", "/v1/embeddings", mutate("{\"model\":\"" + embeddingModel + "\",\"input\":[\"hello\",\"world\"]}"));
        }
        if (kind < 44) {
            return json("kb-create", "POST", "/v1/knowledge_bases", mutate("{\"name\":\"fz" + random.nextInt(1000) + "\",\"description\":\"d\"}"));
        }
        if (kind < 50) {
            return json("kb-query", "POST", "/v1/knowledge_bases/" + idOrKnown("fuzz") + "/query", mutate("{\"query\":\"what\",\"top_k\":3}"));
        }
        if (kind < 56) {
            return json("kb-ingest-json", "POST", "/v1/knowledge_bases/fuzz/documents",
                    mutate("{\"documents\":[{\"title\":\"t\",\"text\":\"some text.\"},{\"url\":\"HTTP://127.0.0.1:1/x\"}]}"));
        }
        if (kind < 68) {
            return multipart();
        }
        if (kind < 78) {
            return compressed();
        }
        if (kind < 86) {
            return idRequest();
        }
        if (kind < 92) {
            return json("dify-retrieval", "POST", "/retrieval", mutate("{\"knowledge_id\":\"fuzz\",\"query\":\"q\","
                    + "\"retrieval_setting\":{\"top_k\":3,\"score_threshold\":0.5}}"));
        }
        return headerOddity();
    }

    private String chatBody() {
        return "{\"model\":\"" + model + "\",\"stream\":" + random.nextBoolean() + ",\"max_tokens\":16,\"temperature\":0.5,"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    private String idOrKnown(String known) {
        return random.nextInt(3) == 0 ? known : encodePath(pick(HOSTILE_IDS));
    }

    /** Characters a request line cannot carry raw are percent-encoded; what is already encoded stays. */
    private static String encodePath(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' || c == '{' || c == '}' || c == '|'
                    || c == '^' || c == '#' || c == '?') {
                out.append('%').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    /** One mutation of a valid JSON body, as bytes (some are not valid UTF-8). */
    byte[] mutate(String valid) {
        int how = random.nextInt(16);
        switch (how) {
            case 0:
                return valid.getBytes(StandardCharsets.UTF_8); // the valid body itself: the gateway must still answer
            case 1:
                return valid.substring(0, random.nextInt(Math.max(1, valid.length()))).getBytes(StandardCharsets.UTF_8);
            case 2:
                return (valid + pick(new String[] {"}", "]", ",", " x", "{}", "\u0000"})).getBytes(StandardCharsets.UTF_8);
            case 3:
                return replaceValue(valid, pick(TYPE_SWAPS)).getBytes(StandardCharsets.UTF_8);
            case 4:
                return replaceValue(valid, pick(HOSTILE_NUMBERS)).getBytes(StandardCharsets.UTF_8);
            case 5:
                return replaceValue(valid, "\"" + pick(HOSTILE_STRINGS) + "\"").getBytes(StandardCharsets.UTF_8);
            case 6: {
                int depth = 100 + random.nextInt(20_000);
                return replaceValue(valid, "[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
            }
            case 7: {
                int depth = 100 + random.nextInt(5_000);
                return replaceValue(valid, "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8);
            }
            case 8:
                return ("{\"model\":\"a\"," + valid.substring(1)).getBytes(StandardCharsets.UTF_8); // duplicate keys
            case 9: {
                byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
                byte[] bad = {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0x80, (byte) 0xf8};
                int at = bytes.length > 2 ? 1 + random.nextInt(bytes.length - 2) : 0;
                return concat(slice(bytes, 0, at), slice(bad, 0, 1 + random.nextInt(bad.length)), slice(bytes, at, bytes.length));
            }
            case 10:
                return concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, valid.getBytes(StandardCharsets.UTF_8)); // BOM
            case 11:
                return dropField(valid).getBytes(StandardCharsets.UTF_8);
            case 12: {
                byte[] noise = new byte[random.nextInt(2048)];
                random.nextBytes(noise);
                return noise;
            }
            case 13:
                return "".getBytes(StandardCharsets.UTF_8);
            case 14:
                return valid.replace("\"", "'").getBytes(StandardCharsets.UTF_8);
            default:
                return replaceValue(valid, "\"" + "x".repeat(random.nextInt(2_000_000)) + "\"").getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Replaces one value (after a colon) with {@code replacement}. */
    private String replaceValue(String json, String replacement) {
        List<Integer> colons = new ArrayList<>();
        for (int i = 0; i < json.length(); i++) {
            if (json.charAt(i) == ':') {
                colons.add(i);
            }
        }
        if (colons.isEmpty()) {
            return json;
        }
        int colon = colons.get(random.nextInt(colons.size()));
        int end = valueEnd(json, colon + 1);
        return json.substring(0, colon + 1) + replacement + json.substring(end);
    }

    private static int valueEnd(String json, int from) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                continue;
            }
            if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return json.length();
    }

    private String dropField(String json) {
        int start = json.indexOf("\"", 1 + random.nextInt(Math.max(1, json.length() / 2)));
        if (start < 0) {
            return json;
        }
        int colon = json.indexOf(':', start);
        if (colon < 0) {
            return json;
        }
        int end = valueEnd(json, colon + 1);
        String rest = json.substring(end);
        return json.substring(0, start) + (rest.startsWith(",") ? rest.substring(1) : rest);
    }

    private Request json(String kind, String method, String path, byte[] body) {
        String type = random.nextInt(12) == 0 ? pick(new String[] {"text/plain", "application/xml", "application/json; charset=latin1",
            "application/json; charset=utf-16", ";;;", "application/", "multipart/form-data"}) : "application/json";
        return new Request(kind, method, path, http(method, path, List.of("Content-Type: " + type), body));
    }

    /** Multipart bodies for the upload endpoint, with one or more things wrong. */
    private Request multipart() {
        String boundary = "fz" + Long.toHexString(random.nextLong());
        int how = random.nextInt(12);
        String filename = random.nextBoolean() ? "doc.txt" : pick(new String[] {"../../../../etc/passwd", "..\\\\..\\\\boot.ini", "a\u0000b.pdf",
            "\"quoted\".md", "x".repeat(3000) + ".txt", "中文.html", "", "%2e%2e%2fx.txt"});
        String partType = random.nextInt(4) == 0 ? pick(new String[] {";;;", "text/", "/plain", "application/pdf", "text/html; charset=nope",
            "a/b/c", "\u00ff/\u00fe"}) : "text/plain";
        byte[] content = random.nextInt(5) == 0 ? "%PDF-1.7 broken".getBytes(StandardCharsets.US_ASCII)
                : "Some text for the knowledge base. Another sentence.".getBytes(StandardCharsets.UTF_8);
        String disposition = "Content-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n";
        String declaredBoundary = boundary;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        switch (how) {
            case 0 -> disposition = ""; // no Content-Disposition
            case 1 -> disposition = "Content-Disposition: form-data\r\n"; // no name
            case 2 -> disposition = "Content-Disposition: ;;;\r\n";
            case 3 -> declaredBoundary = "other";
            case 4 -> declaredBoundary = "";
            case 5 -> disposition = "Content-Disposition: attachment; filename*=UTF-8''%E4%B8%AD\r\n";
            default -> {
            }
        }
        write(body, "--" + boundary + "\r\n" + disposition + "Content-Type: " + partType + "\r\n\r\n");
        body.writeBytes(content);
        if (how == 6) {
            write(body, "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.txt\"\r\n\r\nsecond");
        }
        if (how == 7) {
            write(body, "\r\n--" + boundary + "\r\n" + "X-Long: " + "h".repeat(100_000) + "\r\n\r\nbody");
        }
        if (how != 8 && how != 9) { // 8, 9: cut off before the closing boundary
            write(body, "\r\n--" + boundary + "--\r\n");
        }
        byte[] bytes = body.toByteArray();
        if (how == 9) {
            bytes = slice(bytes, 0, bytes.length / 2);
        }
        String type = how == 10 ? "multipart/form-data" : how == 11 ? "multipart/mixed; boundary=" + declaredBoundary
                : "multipart/form-data; boundary=" + declaredBoundary;
        String path = "/v1/knowledge_bases/" + (random.nextInt(4) == 0 ? encodePath(pick(HOSTILE_IDS)) : "fuzz") + "/documents";
        return new Request("multipart-" + how, "POST", path, http("POST", path, List.of("Content-Type: " + type), bytes));
    }

    /** A body under a Content-Encoding it does not have, or broken on the way. */
    private Request compressed() {
        String[] targets = {"/v1/chat/completions", "/v1/embeddings", "/v1/knowledge_bases", "/v1/knowledge_bases/fuzz/documents",
            "/v1/knowledge_bases/fuzz/query", "/retrieval"};
        String path = targets[random.nextInt(targets.length)];
        byte[] plain = ("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"name\":\"fzc\","
                + "\"query\":\"q\",\"input\":\"hi\",\"documents\":[{\"text\":\"t.\"}]}").getBytes(StandardCharsets.UTF_8);
        int how = random.nextInt(9);
        String encoding = pick(new String[] {"gzip", "deflate", "br", "x-gzip", "gzip, deflate", "identity", "zstd", "snappy", "compress",
            "GZIP", "gzip;q=1"});
        byte[] body;
        switch (how) {
            case 0 -> {
                body = new byte[1 + random.nextInt(4096)];
                random.nextBytes(body);
            }
            case 1 -> body = slice(gzip(plain), 0, 1 + random.nextInt(gzip(plain).length - 1));
            case 2 -> {
                body = gzip(plain);
                body[10 + random.nextInt(body.length - 10)] ^= (byte) (1 + random.nextInt(255));
            }
            case 3 -> body = concat(gzip(plain), "trailing garbage".getBytes(StandardCharsets.US_ASCII));
            case 4 -> body = plain; // declared compressed, sent plain
            case 5 -> body = deflate(plain);
            case 6 -> body = gzip(gzip(plain));
            case 7 -> body = gzip(new byte[random.nextInt(4_000_000)]); // expands a lot; must be bounded by the size limit
            default -> body = gzip(plain);
        }
        if (how == 5 || how == 7 || how == 8) {
            encoding = how == 5 ? "deflate" : "gzip";
        }
        return new Request("compressed-" + how, "POST", path, http("POST", path,
                List.of("Content-Type: application/json", "Content-Encoding: " + encoding), body));
    }

    /** Reads and deletes by id, the ids hostile. */
    private Request idRequest() {
        String id = encodePath(pick(HOSTILE_IDS));
        String[][] targets = {
            {"GET", "/v1/conversations/" + id}, {"DELETE", "/v1/conversations/" + id}, {"GET", "/v1/ingestion_jobs/" + id},
            {"GET", "/v1/models/" + id}, {"GET", "/v1/knowledge_bases/" + id}, {"DELETE", "/v1/knowledge_bases/" + id + "x"},
            {"GET", "/v1/knowledge_bases/" + id + "/documents"}, {"DELETE", "/v1/knowledge_bases/fuzz/documents/" + id},
            {"GET", "/v1/conversations?limit=" + pick(new String[] {"-1", "0", "1e9", "abc", "%00", "99999999999"}) + "&after=" + id},
            {"GET", "/" + id}, {"GET", "/v1/" + id + "/../../health"}
        };
        String[] target = targets[random.nextInt(targets.length)];
        return new Request("id-" + target[0], target[0], target[1], http(target[0], target[1], List.of(), null));
    }

    /** Headers that disagree with the body, or are odd. */
    private Request headerOddity() {
        byte[] body = chatBody().getBytes(StandardCharsets.UTF_8);
        int how = random.nextInt(8);
        String path = "/v1/chat/completions";
        StringBuilder raw = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nAuthorization: Bearer " + HostileFuzzer.KEY_PLACEHOLDER + "\r\n");
        switch (how) {
            case 0 -> raw.append("Content-Length: ").append(body.length + 50).append("\r\n"); // promises more than it sends
            case 1 -> raw.append("Content-Length: ").append(Math.max(0, body.length - 20)).append("\r\n");
            case 2 -> raw.append("Content-Length: -5\r\n");
            case 3 -> raw.append("Content-Length: 99999999999999999999\r\n");
            case 4 -> raw.append("Transfer-Encoding: chunked\r\nContent-Length: ").append(body.length).append("\r\n");
            case 5 -> raw.append("Expect: 100-continue\r\nContent-Length: ").append(body.length).append("\r\n");
            case 6 -> raw.append("Accept: text/xml\r\nContent-Length: ").append(body.length).append("\r\n");
            default -> raw.append("X-Request-Id: ").append("<script>".repeat(50)).append("\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        raw.append("\r\n");
        byte[] head = raw.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = how == 1 ? concat(head, body) : concat(head, body);
        return new Request("header-" + how, "POST", path, bytes);
    }

    private static byte[] http(String method, String path, List<String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n")
                .append("Authorization: Bearer ").append(HostileFuzzer.KEY_PLACEHOLDER).append("\r\n");
        headers.forEach(h -> head.append(h).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        return body == null ? headBytes : concat(headBytes, body);
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] deflate(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out)) {
            deflate.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static byte[] slice(byte[] bytes, int from, int to) {
        byte[] out = new byte[Math.max(0, to - from)];
        System.arraycopy(bytes, from, out, 0, out.length);
        return out;
    }
}
