package ai.meridian.support.openaiwire;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Access;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.Credentials;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz tests (Jazzer) of the inbound parsing every request goes through: the chat request body (JSON to the domain
 * request and command) and the credential headers. Whatever arrives, the answer is a value or a 4xx
 * {@link GatewayException}: never another exception (a 500), never a hang. Under {@code mvn test} they replay their
 * corpus; {@code JAZZER_FUZZ=1} fuzzes (see docs/operations.md).
 */
class RequestParsingFuzzTest {
    private static final Caller CALLER = new Caller("default", "fuzz", Access.OPERATOR);

    @FuzzTest(maxDuration = "30s")
    void chatRequestBodies(FuzzedDataProvider data) {
        String conversationHeader = data.consumeBoolean() ? data.consumeString(80) : null;
        byte[] body = data.consumeRemainingAsBytes();
        try {
            ChatRequestParser.command(body, "req_fuzz", CALLER, 0, "127.0.0.1",
                    name -> name.equals(AnswerHeaders.CONVERSATION_HEADER) ? conversationHeader : null,
                    ai.meridian.application.port.in.ForwardedHeaders.NONE);
        } catch (GatewayException e) {
            assertThat(e.error().httpStatus()).isBetween(400, 499);
            assertThat(e.error().message()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "30s")
    void credentialHeaders(FuzzedDataProvider data) {
        List<String> authorization = new ArrayList<>();
        List<String> apiKey = new ArrayList<>();
        int n = data.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            authorization.add(data.consumeString(120));
        }
        int m = data.consumeInt(0, 2);
        for (int i = 0; i < m; i++) {
            apiKey.add(data.consumeString(120));
        }
        Credentials.Scheme scheme = data.consumeBoolean() ? Credentials.Scheme.BEARER : Credentials.Scheme.BEARER_OR_X_API_KEY;
        Credentials.Presented presented = Credentials.extract(authorization, apiKey, scheme);
        if (presented instanceof Credentials.Token token) {
            assertThat(token.value()).isNotBlank().doesNotContainPattern("\\s");
            assertThat(authorization.size()).isLessThanOrEqualTo(1);
        }
        if (authorization.size() > 1) {
            assertThat(presented).isInstanceOf(Credentials.Malformed.class);
        }
    }
}
