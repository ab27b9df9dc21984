package ai.meridian.adapter.in.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.inboundhttp.ClientConnection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** How the core's deltas become Anthropic's content blocks and events, piece by piece. */
class MessagesStreamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static MessagesStream stream(List<String> stops) {
        return new MessagesStream("req-1", "claude-x", stops, ClientConnection.of(HttpRequest.POST("/v1/messages", "")), Duration.ofSeconds(10));
    }

    private static StreamStart start(List<Citation> citations) {
        return new StreamStart("chatcmpl-abc", 1, "chat", new ServedBy("b", 0, "m"), citations, Optional.empty(), List.of());
    }

    private static Delta extra(String field, String json) {
        return new Delta(0, "", "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of(field, json));
    }

    /** Each event as "name" or "name:detail" (the block type or delta type), pings left out. */
    @SuppressWarnings("unchecked")
    private static List<JsonNode> events(MessagesStream stream) throws Exception {
        MutableHttpResponse<?> response = stream.response().get(5, TimeUnit.SECONDS);
        String body = String.join("", ((Flux<String>) response.body()).collectList().block(Duration.ofSeconds(5)));
        List<JsonNode> events = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            String[] lines = event.split("\n");
            assertThat(lines[0]).startsWith("event: ");
            JsonNode data = JSON.readTree(lines[1].substring("data: ".length()));
            assertThat(data.get("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
            if (!data.get("type").asText().equals("ping")) {
                events.add(data);
            }
        }
        return events;
    }

    private static List<String> shape(List<JsonNode> events) {
        List<String> shape = new ArrayList<>();
        for (JsonNode e : events) {
            String type = e.get("type").asText();
            if (e.has("content_block")) {
                type += ":" + e.at("/content_block/type").asText();
            } else if (e.has("delta") && e.at("/delta/type").isTextual()) {
                type += ":" + e.at("/delta/type").asText();
            }
            shape.add(type);
        }
        return shape;
    }

    @Test
    void thinkingAfterASignatureIsANewBlockAndRedactedThinkingIsAWholeBlock() throws Exception {
        MessagesStream stream = stream(List.of());
        stream.onStart(start(List.of()));
        stream.onDelta(new Delta("", "First thought."));
        stream.onDelta(extra("thinking_blocks", "[{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"sig-1\"}]"));
        stream.onDelta(new Delta("", "Second thought."));
        stream.onDelta(extra("thinking_blocks", "[{\"type\":\"redacted_thinking\",\"data\":\"ENCRYPTED\"}]"));
        stream.onDelta(Delta.of("Answer."));
        stream.onFinish(StreamEnd.of(FinishReason.STOP, new TokenUsage(10, 5)));
        List<JsonNode> events = events(stream);
        assertThat(shape(events)).containsExactly("message_start",
                "content_block_start:thinking", "content_block_delta:thinking_delta", "content_block_delta:signature_delta", "content_block_stop",
                "content_block_start:thinking", "content_block_delta:thinking_delta", "content_block_stop",
                "content_block_start:redacted_thinking", "content_block_stop",
                "content_block_start:text", "content_block_delta:text_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(events.get(3).at("/delta/signature").asText()).isEqualTo("sig-1");
        assertThat(events.get(8).at("/content_block/data").asText()).isEqualTo("ENCRYPTED");
        List<Integer> indices = events.stream().filter(e -> e.has("index")).map(e -> e.get("index").asInt()).distinct().toList();
        assertThat(indices).containsExactly(0, 1, 2, 3);
        assertThat(events.get(0).at("/message/id").asText()).isEqualTo("msg_abc");
        assertThat(events.get(0).at("/message/model").asText()).isEqualTo("claude-x");
    }

    @Test
    void parallelToolCallsAreBlocksOfTheirOwnAndAStopSequenceIsReported() throws Exception {
        MessagesStream stream = stream(List.of("###"));
        stream.onStart(start(List.of()));
        stream.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "call_a", "get_weather"))));
        stream.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{\"city\":\"Paris\"}"))));
        stream.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.start(1, "call_b", "get_time"), ToolCallDelta.arguments(1, "{}"))));
        stream.onDelta(new Delta(0, "", "", List.of(), null, null, null, null, Map.of(), Map.of("stop_reason", "\"###\""), Map.of()));
        stream.onFinish(StreamEnd.of(FinishReason.STOP, new TokenUsage(10, 5, 4, 0, Map.of("cache_creation_input_tokens", "2"))));
        List<JsonNode> events = events(stream);
        assertThat(shape(events)).containsExactly("message_start",
                "content_block_start:tool_use", "content_block_delta:input_json_delta", "content_block_stop",
                "content_block_start:tool_use", "content_block_delta:input_json_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(events.get(1).at("/content_block/id").asText()).isEqualTo("call_a");
        assertThat(events.get(1).at("/content_block/input").size()).isZero();
        assertThat(events.get(4).at("/content_block/name").asText()).isEqualTo("get_time");
        assertThat(events.get(5).at("/index").asInt()).isEqualTo(1);
        JsonNode messageDelta = events.get(7);
        assertThat(messageDelta.at("/delta/stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(messageDelta.at("/delta/stop_sequence").asText()).isEqualTo("###");
        assertThat(messageDelta.at("/usage/input_tokens").asInt()).as("10 less 4 read and 2 written to the cache").isEqualTo(4);
        assertThat(messageDelta.at("/usage/cache_read_input_tokens").asInt()).isEqualTo(4);
        assertThat(messageDelta.at("/usage/cache_creation_input_tokens").asInt()).isEqualTo(2);
        assertThat(messageDelta.at("/usage/output_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void sourceMarkersSplitAcrossPiecesBecomeCitationDeltasOnce() throws Exception {
        MessagesStream stream = stream(List.of());
        List<Citation> sources = List.of(new Citation(1, "Docs", "https://d.example", "", "Meridian is a gateway.", "web"),
                new Citation(2, "KB", "kb://docs/doc_1", "", "Install it.", "knowledge_base:docs"));
        stream.onStart(start(sources));
        stream.onDelta(Delta.of("A gateway [1"));
        stream.onDelta(Delta.of("] that installs [2][1] fast [9]."));
        stream.onFinish(StreamEnd.of(FinishReason.STOP, new TokenUsage(10, 5)));
        List<JsonNode> events = events(stream);
        assertThat(shape(events)).containsExactly("message_start", "content_block_start:text", "content_block_delta:text_delta",
                "content_block_delta:text_delta", "content_block_delta:citations_delta", "content_block_delta:citations_delta",
                "content_block_stop", "message_delta", "message_stop");
        assertThat(events.get(4).at("/delta/citation/type").asText()).isEqualTo("web_search_result_location");
        assertThat(events.get(4).at("/delta/citation/url").asText()).isEqualTo("https://d.example");
        assertThat(events.get(5).at("/delta/citation/type").asText()).isEqualTo("search_result_location");
        assertThat(events.get(5).at("/delta/citation/source").asText()).isEqualTo("kb://docs/doc_1");
        assertThat(events.get(5).at("/delta/citation/search_result_index").asInt()).isEqualTo(1);
        assertThat(events.get(0).at("/message/search_results").size()).isEqualTo(2);
    }

    @Test
    void aFailureBeforeTheFirstTokenIsAPlainErrorAndAfterItAnErrorEvent() throws Exception {
        MessagesStream early = stream(List.of());
        early.onError(GatewayError.of(ErrorKind.UNAVAILABLE, "every circuit is open"));
        assertThat(early.response()).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(GatewayException.class);

        MessagesStream late = stream(List.of());
        late.onStart(start(List.of()));
        late.onDelta(Delta.of("partial"));
        late.onError(GatewayError.of(ErrorKind.BAD_GATEWAY, "the backend failed"));
        late.onDelta(Delta.of("ignored"));
        List<JsonNode> events = events(late);
        assertThat(shape(events)).containsExactly("message_start", "content_block_start:text", "content_block_delta:text_delta", "error");
        assertThat(events.get(3).at("/error/type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void blocksOfKindsTheChatValuesDoNotKnowPassWhole() throws Exception {
        MessagesStream stream = stream(List.of());
        stream.onStart(start(List.of()));
        stream.onDelta(Delta.of("Searching."));
        stream.onDelta(extra("other_content", "[{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"query\":\"x\"}}]"));
        stream.onDelta(Delta.of("Found."));
        stream.onFinish(StreamEnd.of(FinishReason.STOP, new TokenUsage(1, 1)));
        assertThat(shape(events(stream))).containsExactly("message_start", "content_block_start:text", "content_block_delta:text_delta",
                "content_block_stop", "content_block_start:server_tool_use", "content_block_stop", "content_block_start:text",
                "content_block_delta:text_delta", "content_block_stop", "message_delta", "message_stop");
    }
}
