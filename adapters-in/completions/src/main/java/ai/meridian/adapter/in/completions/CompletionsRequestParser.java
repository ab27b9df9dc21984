package ai.meridian.adapter.in.completions;

import static ai.meridian.support.inboundhttp.RequestJson.invalidValue;
import static ai.meridian.support.inboundhttp.RequestJson.member;
import static ai.meridian.support.inboundhttp.RequestJson.optionalBoolean;
import static ai.meridian.support.inboundhttp.RequestJson.optionalInt;
import static ai.meridian.support.inboundhttp.RequestJson.optionalLong;
import static ai.meridian.support.inboundhttp.RequestJson.optionalNumber;
import static ai.meridian.support.inboundhttp.RequestJson.optionalObject;
import static ai.meridian.support.inboundhttp.RequestJson.optionalString;
import static ai.meridian.support.inboundhttp.RequestJson.requiredString;
import static ai.meridian.support.inboundhttp.RequestJson.unsupported;
import static ai.meridian.support.inboundhttp.RequestJson.wrongType;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads a legacy Completions API request ({@code POST /v1/completions}) into the core's text-completion request:
 * each prompt a user message, the Completions API's own fields ({@code echo}, {@code suffix}, {@code best_of},
 * {@code logit_bias}, vendor extras) passed through raw for the backend to forward or refuse, {@code logprobs} (an
 * integer here) as the number of most likely tokens to list. Every problem is a 400 naming the parameter.
 */
final class CompletionsRequestParser {
    /** The most prompts one request may carry (and prompts × n choices). */
    static final int MAX_PROMPTS = GenerationParams.MAX_CHOICES;
    private static final Set<String> TYPED = Set.of("model", "prompt", "stream", "stream_options", "temperature", "top_p", "max_tokens",
            "stop", "seed", "user", "presence_penalty", "frequency_penalty", "n", "logprobs", "web_search", "knowledge_bases",
            ai.meridian.support.inboundhttp.CacheOptions.FIELD);

    private CompletionsRequestParser() {
    }

    static ChatCommand command(byte[] body, String requestId, Caller caller, long receivedAtNanos, String clientAddress,
                               UnaryOperator<String> header, ForwardedHeaders forwarded) {
        JsonNode root = RequestJson.readObject(body);
        if (header.apply("x-conversation-id") != null || member(root, "conversation_id") != null) {
            throw unsupported("conversation_id", "Conversations are not available on the legacy Completions API: "
                    + "use /v1/chat/completions (conversation_id) or /v1/responses (previous_response_id).");
        }
        return new ChatCommand(CallerContext.of(caller, requestId, header.apply("traceparent"), receivedAtNanos, clientAddress,
                forwarded.select(header)).withCache(ai.meridian.support.inboundhttp.CacheOptions.read(root, header.apply("cache-control"))), parse(root));
    }

    static ChatRequest parse(JsonNode root) {
        String model = requiredString(root, "model");
        List<ChatMessage> prompts = prompts(root);
        boolean stream = Boolean.TRUE.equals(optionalBoolean(root, "stream"));
        boolean includeUsage = streamOptions(root, stream);
        Integer logprobs = optionalInt(root, "logprobs");
        if (logprobs != null && (logprobs < 0 || logprobs > 20)) {
            throw invalidValue("logprobs", "Invalid 'logprobs': expected an integer from 0 to 20 (the most likely tokens to list).");
        }
        Integer n = optionalInt(root, "n");
        if (n != null && n >= 1 && (long) n * prompts.size() > MAX_PROMPTS) {
            throw invalidValue("n", "Invalid 'n': " + n + " choices for each of " + prompts.size() + " prompts is more than "
                    + MAX_PROMPTS + " in all.");
        }
        try {
            GenerationParams params = new GenerationParams(
                    optionalNumber(root, "temperature"),
                    optionalNumber(root, "top_p"),
                    optionalInt(root, "max_tokens"),
                    RequestJson.stop(root, "stop"),
                    optionalLong(root, "seed"),
                    optionalString(root, "user"),
                    null,
                    optionalNumber(root, "presence_penalty"),
                    optionalNumber(root, "frequency_penalty"),
                    n,
                    logprobs == null ? null : Boolean.TRUE,
                    logprobs,
                    passThrough(root),
                    "max_tokens");
            return new ChatRequest(model, prompts, params, stream, includeUsage, RequestJson.grounding(root), ToolSpec.NONE, true);
        } catch (InvalidValueException e) {
            throw invalidValue(e.param(), e.getMessage());
        }
    }

    /** {@code prompt}: a string or an array of strings. Token ids (arrays of integers) cannot be served: no tokenizer of the model here. */
    private static List<ChatMessage> prompts(JsonNode root) {
        JsonNode node = member(root, "prompt");
        if (node == null) {
            throw RequestJson.missing("prompt");
        }
        if (node.isTextual()) {
            return List.of(ChatMessage.user(node.asText()));
        }
        if (!node.isArray()) {
            throw wrongType("prompt", "a string or an array of strings", node);
        }
        if (node.isEmpty()) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid 'prompt': empty array. Expected a string or an array of at least one string.", "prompt", "empty_array", null));
        }
        if (node.size() > MAX_PROMPTS) {
            throw invalidValue("prompt", "Invalid 'prompt': at most " + MAX_PROMPTS + " prompts per request.");
        }
        List<ChatMessage> prompts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode prompt = node.get(i);
            if (prompt.isIntegralNumber() || prompt.isArray()) {
                throw unsupported("prompt", "Prompts given as token ids are not supported: this gateway does not know the model's "
                        + "tokenizer. Send the prompt as text (a string, or an array of strings).");
            }
            if (!prompt.isTextual()) {
                throw wrongType("prompt[" + i + "]", "a string", prompt);
            }
            prompts.add(ChatMessage.user(prompt.asText()));
        }
        return prompts;
    }

    private static boolean streamOptions(JsonNode root, boolean stream) {
        JsonNode options = optionalObject(root, "stream_options", "stream_options");
        if (options == null) {
            return false;
        }
        if (!stream) {
            throw invalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        Iterator<String> names = options.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("include_usage")) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "Unrecognized request argument supplied: 'stream_options." + RequestJson.shown(name)
                                + "'. This gateway reads 'include_usage' only.", "stream_options." + RequestJson.shown(name),
                        "unknown_parameter", null));
            }
        }
        return Boolean.TRUE.equals(optionalBoolean(options, "include_usage", "stream_options.include_usage"));
    }

    /**
     * Every other field as raw JSON in the client's order: {@code echo}, {@code suffix}, {@code best_of},
     * {@code logit_bias} and vendor extras ({@code top_k}, {@code min_p}, ...). The backend forwards them or refuses the
     * request naming them; the few whose type is plain are checked here.
     */
    private static Map<String, String> passThrough(JsonNode root) {
        Map<String, String> extra = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (TYPED.contains(name) || value.isNull()) {
                continue;
            }
            if (name.isEmpty() || name.length() > 128) {
                throw invalidValue(name.isEmpty() ? null : name.substring(0, 128),
                        "Unrecognized request argument: field names must be 1 to 128 characters.");
            }
            switch (name) {
                case "echo":
                    if (!value.isBoolean()) {
                        throw wrongType("echo", "a boolean", value);
                    }
                    break;
                case "suffix":
                    if (!value.isTextual()) {
                        throw wrongType("suffix", "a string", value);
                    }
                    break;
                case "best_of":
                    if (!value.isIntegralNumber()) {
                        throw wrongType("best_of", "an integer", value);
                    }
                    if (!value.canConvertToInt() || value.intValue() < 1 || value.intValue() > 20) {
                        throw invalidValue("best_of", "Invalid 'best_of': expected an integer from 1 to 20.");
                    }
                    break;
                case "logit_bias":
                    if (!value.isObject()) {
                        throw wrongType("logit_bias", "an object", value);
                    }
                    break;
                default:
                    break;
            }
            extra.put(name, value.toString());
        }
        return extra;
    }
}
