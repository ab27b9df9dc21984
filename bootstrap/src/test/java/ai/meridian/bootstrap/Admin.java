package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;

/** The admin API as a test drives it, with the master key of {@link TestGateway}. */
final class Admin {
    static final ObjectMapper JSON = new ObjectMapper();
    private final TestGateway gateway;

    Admin(TestGateway gateway) {
        this.gateway = gateway;
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    void tenant(String id) {
        HttpResponse<String> created = gateway.post("/v1/admin/tenants", "{\"id\":\"" + id + "\"}");
        assertThat(created.statusCode()).as(created.body()).isIn(201, 409);
    }

    /** Creates a key and answers {id, secret}. {@code extra} is more JSON fields, e.g. {@code "role":"reader"}. */
    String[] key(String tenant, String extra) {
        String body = "{\"tenant\":\"" + tenant + "\"" + (extra == null || extra.isEmpty() ? "" : "," + extra) + "}";
        HttpResponse<String> created = gateway.post("/v1/admin/keys", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode key = json(created);
        return new String[] {key.get("id").asText(), key.get("secret").asText()};
    }

    static String bearer(String secret) {
        return "Bearer " + secret;
    }
}
