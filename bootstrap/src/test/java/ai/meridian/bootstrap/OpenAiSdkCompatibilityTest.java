package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionTool;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK, pointed at the running gateway, parses everything it answers. */
class OpenAiSdkCompatibilityTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "aliases", List.of("chat-latest"),
                        "routes", List.of(TestGateway.route("fake", "upstream-chat")),
                        "retry", Map.of("max-attempts", 1)))));
        client = sdk(TestGateway.KEY);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    private static OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.url() + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    private static ChatCompletionCreateParams.Builder params(String model) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("You are terse.").addUserMessage("Say hello");
    }

    @Test
    void plainCompletion() {
        upstream.enqueue(UpstreamBehavior.answer("Hello", ", world"));
        ChatCompletion completion = client.chat().completions().create(params("chat").temperature(0.3).maxCompletionTokens(50L)
                .seed(7L).user("alice").stop("END").responseFormat(ResponseFormatJsonObject.builder().build()).build());
        completion.validate();
        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.model()).isEqualTo("chat");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).contains("Hello, world");
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isEqualTo(11);
            assertThat(u.completionTokens()).isEqualTo(2);
            assertThat(u.totalTokens()).isEqualTo(13);
        });
        String forwarded = upstream.requests().get(0).body();
        assertThat(forwarded).contains("\"model\":\"upstream-chat\"", "\"temperature\":0.3", "\"max_completion_tokens\":50", "\"seed\":7",
                "\"user\":\"alice\"", "\"stop\":[\"END\"]", "\"response_format\":{\"type\":\"json_object\"}");
    }

    @Test
    void streamedCompletionWithUsage() {
        upstream.enqueue(UpstreamBehavior.answer("Hel", "lo", " there"));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                params("chat-latest").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunks::add);
        }
        chunks.forEach(ChatCompletionChunk::validate);
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(text::append)));
        assertThat(text).hasToString("Hello there");
        assertThat(chunks.get(0).choices().get(0).delta().role()).contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertThat(finish.choices().get(0).finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.STOP);
        ChatCompletionChunk usage = chunks.get(chunks.size() - 1);
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(3));
    }

    @Test
    void streamedCompletionWithoutUsageHasNoUsageChunk() {
        upstream.enqueue(UpstreamBehavior.answer("a", "b"));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("chat").build())) {
            stream.stream().forEach(chunks::add);
        }
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        assertThat(chunks.get(chunks.size() - 1).choices().get(0).finishReason()).isPresent();
    }

    /** A reply of a wire-format fixture shared with the Node client suites ({@code clients/fixtures}). */
    private static JsonNode fixtureReply(String name, int turn) throws Exception {
        Path fixtures = Path.of(System.getProperty("meridian.clients", "../clients"), "fixtures");
        return new ObjectMapper().readTree(fixtures.resolve(name + ".json").toFile()).get("replies").get(turn);
    }

    private static UpstreamBehavior whole(JsonNode reply) {
        return UpstreamBehavior.verbatim(reply.get("json").toString(), null);
    }

    private static UpstreamBehavior streamed(JsonNode reply) {
        List<String> events = new ArrayList<>();
        reply.get("events").forEach(e -> events.add(e.toString()));
        return UpstreamBehavior.verbatim(null, events);
    }

    private static final ChatCompletionTool WEATHER = ChatCompletionTool.ofFunction(ChatCompletionFunctionTool.builder()
            .function(FunctionDefinition.builder().name("get_weather").description("Current weather in a city")
                    .parameters(FunctionParameters.builder()
                            .putAdditionalProperty("type", JsonValue.from("object"))
                            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                            .build())
                    .build())
            .build());

    @Test
    void aToolCallAndItsResultMakeAWholeLoop() throws Exception {
        upstream.enqueue(whole(fixtureReply("tools", 0)), whole(fixtureReply("tools", 1)));
        ChatCompletionCreateParams first = params("chat").addTool(WEATHER).parallelToolCalls(false).build();
        ChatCompletion call = client.chat().completions().create(first);
        call.validate();
        assertThat(call.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageToolCall> calls = call.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_fx_weather_1");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        assertThat(call.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens()).contains(0L);

        ChatCompletion answer = client.chat().completions().create(first.toBuilder()
                .addMessage(call.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_fx_weather_1").content("{\"temperature\":18}").build())
                .build());
        answer.validate();
        assertThat(answer.choices().get(0).message().content()).contains("It is 18 °C and sunny in Paris.");
        assertThat(answer.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens()).contains(64L);

        JsonNode sent = new ObjectMapper().readTree(upstream.requests().get(1).body());
        assertThat(sent.get("tools").get(0).get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(sent.get("parallel_tool_calls").asBoolean()).isFalse();
        JsonNode messages = sent.get("messages");
        assertThat(messages.get(2).get("tool_calls").get(0).get("id").asText()).isEqualTo("call_fx_weather_1");
        assertThat(messages.get(3).get("role").asText()).isEqualTo("tool");
        assertThat(messages.get(3).get("tool_call_id").asText()).isEqualTo("call_fx_weather_1");
    }

    @Test
    void aStreamedToolCallArrivesAsFragmentsThatAddUp() throws Exception {
        upstream.enqueue(streamed(fixtureReply("tools", 0)));
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        List<String> argumentPieces = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("chat").addTool(WEATHER)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                accumulator.accumulate(chunk);
                chunk.choices().forEach(c -> c.delta().toolCalls().ifPresent(calls -> calls.forEach(
                        call -> call.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments).ifPresent(argumentPieces::add))));
            });
        }
        assertThat(argumentPieces).containsExactly("", "{\"ci", "ty\":\"Par", "is\",\"unit", "\":\"celsius\"}");
        ChatCompletion whole = accumulator.chatCompletion();
        ChatCompletionMessageToolCall call = whole.choices().get(0).message().toolCalls().orElseThrow().get(0);
        assertThat(call.asFunction().id()).isEqualTo("call_fx_weather_1");
        assertThat(call.asFunction().function().name()).isEqualTo("get_weather");
        assertThat(call.asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(whole.usage().orElseThrow().totalTokens()).isEqualTo(98);
    }

    @Test
    void unknownModelIsNotFound() {
        assertThatThrownBy(() -> client.chat().completions().create(params("gpt-9").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.code()).contains("model_not_found");
                    assertThat(e.param()).contains("model");
                    assertThat(e.getMessage()).contains("gpt-9");
                });
    }

    @Test
    void wrongKeyIsUnauthorized() {
        assertThatThrownBy(() -> sdk("sk-wrong").chat().completions().create(params("chat").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.code()).contains("invalid_api_key"));
    }

    @Test
    void invalidParametersAreBadRequests() {
        assertThatThrownBy(() -> client.chat().completions().create(params("chat").temperature(3.0).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("temperature");
                    assertThat(e.type()).contains("invalid_request_error");
                });
    }

    @Test
    void upstreamRateLimitsWithNoTierLeftReachTheClientAsRateLimits() {
        upstream.enqueue(UpstreamBehavior.status(429, "slow down").withRetryAfter(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> client.chat().completions().create(params("chat").build()))
                .isInstanceOfSatisfying(RateLimitException.class, e -> {
                    assertThat(e.headers().values("retry-after")).containsExactly("30");
                    assertThat(e.code()).contains("rate_limit_exceeded");
                });
    }

    @Test
    void upstreamFailureWithNoTierLeftIsAServerError() {
        upstream.enqueue(UpstreamBehavior.status(500, "boom"));
        assertThatThrownBy(() -> client.chat().completions().create(params("chat").build()))
                .isInstanceOfSatisfying(InternalServerException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
    }

    @Test
    void aStreamThatBreaksAfterItsFirstTokenEndsWithAnErrorTheSdkRaises() {
        upstream.enqueue(UpstreamBehavior.answer("partial", " more", " text").cutAfter(1));
        List<String> received = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("chat").build())) {
                stream.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(received::add)));
            }
        }).isInstanceOfAny(SseException.class, OpenAIServiceException.class);
        assertThat(received).containsExactly("partial");
    }

    @Test
    void modelsAreListedAndRetrieved() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly("chat", "chat-latest");
        Model model = client.models().retrieve("chat-latest");
        model.validate();
        assertThat(model.ownedBy()).isEqualTo("meridian");
        assertThatThrownBy(() -> client.models().retrieve("nope")).isInstanceOf(NotFoundException.class);
    }
}
