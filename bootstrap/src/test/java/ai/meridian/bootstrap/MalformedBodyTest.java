package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The malformed bodies the hostile test found answered with 500: a body whose Content-Encoding does not
 * decode (any endpoint), multipart parts without Content-Disposition or with an unparsable Content-Type, a
 * multipart body cut off or with an empty boundary. Each is now a 400 in OpenAI's shape with a code.
 */
class MalformedBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        gateway = TestGateway.start(Map.of());
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"docs\"}").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static void assertError(HttpResponse<String> response, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).doesNotContain("Exception", "io.netty", "NullPointer");
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
    }

    private static byte[] gzip(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    @Test
    void aBodyThatDoesNotMatchItsContentEncodingIs400OnEveryEndpoint() throws Exception {
        byte[] notGzip = "not gzip at all".getBytes(StandardCharsets.US_ASCII);
        byte[] cut = gzip("{\"name\":\"cut\",\"padding\":\"" + "x".repeat(500) + "\"}");
        cut = java.util.Arrays.copyOf(cut, cut.length / 2);
        for (String path : List.of("/v1/chat/completions", "/v1/knowledge_bases", "/v1/embeddings", "/v1/knowledge_bases/docs/query",
                "/v1/knowledge_bases/docs/documents", "/retrieval")) {
            for (String encoding : List.of("gzip", "deflate")) {
                assertError(gateway.postBytes(path, notGzip, "content-encoding", encoding), "invalid_encoding");
            }
            HttpResponse<String> truncated = gateway.postBytes(path, cut, "content-encoding", "gzip");
            assertThat(truncated.statusCode()).as(path + ": " + truncated.body()).isEqualTo(400);
        }
        // A well-formed compressed body is read as usual.
        HttpResponse<String> created = gateway.postBytes("/v1/knowledge_bases", gzip("{\"name\":\"zipped\"}"), "content-encoding", "gzip");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    private static HttpResponse<String> upload(String contentType, String body) {
        return gateway.postBytes("/v1/knowledge_bases/docs/documents", body.getBytes(StandardCharsets.UTF_8), "content-type", contentType);
    }

    @Test
    void brokenMultipartBodiesAre400() throws Exception {
        assertError(upload("multipart/form-data; boundary=B", "--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n"), "invalid_multipart");
        assertError(upload("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: ;;;\r\n\r\nhello\r\n--B--\r\n"), "invalid_value");
        assertError(upload("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nhello wor"), "missing_required_parameter");
        assertError(upload("multipart/form-data; boundary=", "--\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nx"),
                "invalid_multipart");
        assertError(upload("multipart/form-data", "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nx\r\n--B--\r\n"),
                "missing_required_parameter");
        HttpResponse<String> fine = upload("multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"file\"; "
                + "filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nA fine document.\r\n--B--\r\n");
        assertThat(fine.statusCode()).as(fine.body()).isEqualTo(202);
    }
}
