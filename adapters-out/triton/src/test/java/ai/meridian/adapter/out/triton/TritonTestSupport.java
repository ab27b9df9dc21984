package ai.meridian.adapter.out.triton;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.testkit.ModelBackendContract;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings and calls the Triton adapter tests share. */
final class TritonTestSupport {
    static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private TritonTestSupport() {
    }

    /** A backend's settings as they come from configuration, with the contract's timeouts. */
    static BackendSettings settings(String id, String endpoints, Convention convention, String model, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "endpoints", endpoints,
                "model", model,
                "convention", convention.configName(),
                "chat-template", "chatml",
                "connect-timeout", "1s",
                "first-token-timeout", ModelBackendContract.FIRST_TOKEN_TIMEOUT.toMillis() + "ms",
                "read-timeout", ModelBackendContract.READ_TIMEOUT.toMillis() + "ms",
                "total-timeout", ModelBackendContract.TOTAL_TIMEOUT.toMillis() + "ms"));
        properties.putAll(extra);
        return new BackendSettings(id, "triton", properties);
    }

    static BackendCall call(String model, GenerationParams params) {
        return new BackendCall("req-1", model, List.of(ChatMessage.system("Be brief."), ChatMessage.user("Wie geht's? 你好")), params, TRACEPARENT);
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
