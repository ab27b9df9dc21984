package ai.meridian.adapter.in.responses;

import static ai.meridian.support.inboundhttp.RequestJson.invalidValue;
import static ai.meridian.support.inboundhttp.RequestJson.member;
import static ai.meridian.support.inboundhttp.RequestJson.missing;
import static ai.meridian.support.inboundhttp.RequestJson.optionalArray;
import static ai.meridian.support.inboundhttp.RequestJson.optionalBoolean;
import static ai.meridian.support.inboundhttp.RequestJson.optionalInt;
import static ai.meridian.support.inboundhttp.RequestJson.optionalNumber;
import static ai.meridian.support.inboundhttp.RequestJson.optionalObject;
import static ai.meridian.support.inboundhttp.RequestJson.optionalString;
import static ai.meridian.support.inboundhttp.RequestJson.requiredString;
import static ai.meridian.support.inboundhttp.RequestJson.shown;
import static ai.meridian.support.inboundhttp.RequestJson.unsupported;
import static ai.meridian.support.inboundhttp.RequestJson.wrongType;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.GroundingRequest;
import ai.meridian.support.inboundhttp.RequestJson;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Responses API request ({@code POST /v1/responses}) into the core's terms. Every field is either served
 * (typed: input items, instructions, function tools, tool choice, text format, reasoning effort, sampling, storing and
 * chaining; or forwarded to the backend raw: {@code service_tier}, {@code safety_identifier}, {@code prompt_cache_key},
 * vendor extras such as {@code thinking}), or refused with a 400 naming it ({@code background}, {@code conversation},
 * {@code prompt}, hosted tools other than web search, ...). Nothing is dropped silently.
 */
final class ResponsesRequestParser {
    static final int MAX_ITEMS = 100_000;
    private static final Set<String> TYPED = Set.of("model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "text",
            "reasoning", "max_output_tokens", "temperature", "top_p", "top_logprobs", "store", "previous_response_id", "metadata", "stream",
            "stream_options", "truncation", "user", "include", "background", "web_search", "knowledge_bases",
            ai.meridian.support.inboundhttp.CacheOptions.FIELD);
    /** Known Responses API fields this gateway does not serve, with what to do instead. */
    private static final Map<String, String> REFUSED = Map.of(
            "conversation", "Conversations objects are not available here: continue a response with 'previous_response_id'.",
            "conversation_id", "Meridian's conversation_id belongs to /v1/chat/completions: on /v1/responses continue with 'previous_response_id'.",
            "prompt", "Prompt templates ('prompt') are not available on this gateway: send 'instructions' and 'input'.",
            "max_tool_calls", "'max_tool_calls' is not supported: the model's backend decides how many calls it makes.",
            "context_management", "'context_management' is not supported: use 'truncation': 'auto' to drop the oldest items.",
            "moderation", "'moderation' is not supported on this gateway.",
            "prompt_cache_options", "'prompt_cache_options' is not supported: use 'prompt_cache_key', which is forwarded.",
            "n", "The Responses API answers one output; send several requests for several answers.");
    /** Fields forwarded to the backend as they are (their chat-completions names are the same). */
    private static final Set<String> FORWARDED = Set.of("service_tier", "safety_identifier", "prompt_cache_key", "prompt_cache_retention");
    private static final Set<String> INCLUDABLE = Set.of("message.output_text.logprobs", "reasoning.encrypted_content",
            "web_search_call.action.sources", "web_search_call.results", "message.input_image.image_url", "file_search_call.results",
            "code_interpreter_call.outputs", "computer_call_output.output.image_url");
    private static final Set<String> WEB_SEARCH_TOOLS = Set.of("web_search", "web_search_preview", "web_search_2025_08_26",
            "web_search_preview_2025_03_11");
    private static final Set<String> REASONING_EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh", "max");

    private ResponsesRequestParser() {
    }

    /** What a request asks, before its item references are looked up. */
    record Parsed(String model, String instructions, List<InputItem> input, GenerationParams params, boolean stream, GroundingRequest grounding,
                  ToolSpec tools, Optional<String> previousResponseId, boolean store, boolean truncate, Attributes attributes) {
    }

    static Parsed parse(JsonNode root, boolean storeByDefault) {
        for (Map.Entry<String, String> refused : REFUSED.entrySet()) {
            if (member(root, refused.getKey()) != null) {
                throw unsupported(refused.getKey(), refused.getValue());
            }
        }
        if (Boolean.TRUE.equals(optionalBoolean(root, "background"))) {
            throw unsupported("background", "Background responses ('background': true) are not supported on this gateway: "
                    + "send the request without it (and 'stream': true to see the answer as it is written).");
        }
        String model = requiredString(root, "model");
        String instructions = optionalString(root, "instructions");
        List<InputItem> input = input(root);
        boolean stream = Boolean.TRUE.equals(optionalBoolean(root, "stream"));
        streamOptions(root, stream);
        Boolean storeField = optionalBoolean(root, "store");
        boolean store = storeField == null ? storeByDefault : storeField;
        String previous = optionalString(root, "previous_response_id");
        String truncation = optionalString(root, "truncation");
        if (truncation != null && !truncation.equals("auto") && !truncation.equals("disabled")) {
            throw invalidValue("truncation", "Invalid value for 'truncation': '" + shown(truncation) + "'. Supported values are: 'auto' and 'disabled'.");
        }
        Set<String> include = include(root);
        Integer topLogprobs = optionalInt(root, "top_logprobs");
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > 20)) {
            throw invalidValue("top_logprobs", "Invalid 'top_logprobs': expected an integer from 0 to 20.");
        }
        boolean logprobs = include.contains("message.output_text.logprobs") || topLogprobs != null && topLogprobs > 0;
        Tools tools = tools(root);
        ReasoningSettings reasoning = reasoning(root);
        TextSettings text = text(root);
        Map<String, String> metadata = metadata(root);
        Map<String, String> extra = passThrough(root);
        if (reasoning.effort() != null) {
            extra.put("reasoning_effort", RawJson.quote(reasoning.effort()));
        }
        if (text.verbosity() != null) {
            extra.put("verbosity", RawJson.quote(text.verbosity()));
        }
        Integer maxOutput = optionalInt(root, "max_output_tokens");
        GroundingRequest grounding = RequestJson.grounding(root);
        if (tools.webSearch()) {
            if (grounding.webSearch().equals(Optional.of(false))) {
                throw invalidValue("web_search", "'web_search': false contradicts the request's web_search tool.");
            }
            grounding = new GroundingRequest(Optional.of(true), grounding.knowledgeBases());
        }
        GenerationParams params;
        try {
            params = new GenerationParams(optionalNumber(root, "temperature"), optionalNumber(root, "top_p"), maxOutput,
                    List.of(), null, optionalString(root, "user"), text.format(), null, null, null, logprobs ? Boolean.TRUE : null,
                    logprobs ? topLogprobs == null ? Integer.valueOf(0) : topLogprobs : null, extra, maxOutput == null ? null : "max_tokens");
        } catch (InvalidValueException e) {
            throw invalidValue(responsesParam(e.param()), e.getMessage().replace("max_tokens", "max_output_tokens"));
        }
        Map<String, String> echo = new LinkedHashMap<>();
        echo.put("instructions", instructions == null ? "null" : RawJson.quote(instructions));
        echo.put("max_output_tokens", maxOutput == null ? "null" : String.valueOf(maxOutput));
        echo.put("max_tool_calls", "null");
        echo.put("parallel_tool_calls", String.valueOf(tools.spec().parallelToolCalls().orElse(true)));
        echo.put("reasoning", reasoning.echo());
        echo.put("service_tier", member(root, "service_tier") == null ? "null" : member(root, "service_tier").toString());
        echo.put("temperature", member(root, "temperature") == null ? "null" : member(root, "temperature").toString());
        echo.put("text", text.echo());
        echo.put("tool_choice", tools.choiceEcho());
        echo.put("tools", tools.echo());
        echo.put("top_logprobs", topLogprobs == null ? "0" : String.valueOf(topLogprobs));
        echo.put("top_p", member(root, "top_p") == null ? "null" : member(root, "top_p").toString());
        echo.put("truncation", RawJson.quote(truncation == null ? "disabled" : truncation));
        if (member(root, "user") != null) {
            echo.put("user", member(root, "user").toString());
        }
        echo.put("metadata", metadataJson(metadata));
        String query = tools.webSearch() ? lastUserText(input) : null;
        boolean sources = include.contains("web_search_call.action.sources") || include.contains("web_search_call.results");
        Attributes attributes = new Attributes(echo, reasoning.summary(), logprobs, query, sources);
        return new Parsed(model, instructions, input, params, stream, grounding, tools.spec(), Optional.ofNullable(previous), store,
                "auto".equals(truncation), attributes);
    }

    /** A domain parameter's name as this API calls it. */
    static String responsesParam(String param) {
        if (param == null) {
            return null;
        }
        switch (param) {
            case "max_tokens":
                return "max_output_tokens";
            case "messages":
                return "input";
            case "response_format":
            case "response_format.type":
            case "response_format.json_schema":
                return "text.format";
            case "logprobs":
            case "top_logprobs":
                return "top_logprobs";
            case "tool_choice.function.name":
                return "tool_choice.name";
            case "reasoning_effort":
                return "reasoning.effort";
            case "verbosity":
                return "text.verbosity";
            default:
                return param;
        }
    }

    private static String lastUserText(List<InputItem> input) {
        for (int i = input.size() - 1; i >= 0; i--) {
            if (input.get(i) instanceof InputItem.Message m && m.message().role() == Role.USER) {
                return m.message().content();
            }
        }
        return "";
    }

    private static void streamOptions(JsonNode root, boolean stream) {
        JsonNode options = optionalObject(root, "stream_options", "stream_options");
        if (options == null) {
            return;
        }
        if (!stream) {
            throw invalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }
        Iterator<String> names = options.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!name.equals("include_obfuscation")) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "Unrecognized request argument supplied: 'stream_options."
                        + shown(name) + "'. This gateway reads 'include_obfuscation' only.", "stream_options." + shown(name), "unknown_parameter", null));
            }
        }
        optionalBoolean(options, "include_obfuscation", "stream_options.include_obfuscation");
    }

    private static Set<String> include(JsonNode root) {
        JsonNode include = optionalArray(root, "include", "include");
        if (include == null) {
            return Set.of();
        }
        Set<String> values = new java.util.HashSet<>();
        for (int i = 0; i < include.size(); i++) {
            JsonNode value = include.get(i);
            if (!value.isTextual()) {
                throw wrongType("include[" + i + "]", "a string", value);
            }
            if (!INCLUDABLE.contains(value.asText())) {
                throw invalidValue("include[" + i + "]", "Invalid value: '" + shown(value.asText()) + "'. Supported values are: "
                        + String.join(", ", new java.util.TreeSet<>(INCLUDABLE)) + ".");
            }
            values.add(value.asText());
        }
        return values;
    }

    private static Map<String, String> metadata(JsonNode root) {
        JsonNode metadata = optionalObject(root, "metadata", "metadata");
        Map<String, String> values = new LinkedHashMap<>();
        if (metadata == null) {
            return values;
        }
        if (metadata.size() > 16) {
            throw invalidValue("metadata", "Invalid 'metadata': at most 16 keys.");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = metadata.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().length() > 64) {
                throw invalidValue("metadata", "Invalid 'metadata': keys are at most 64 characters.");
            }
            if (!field.getValue().isTextual()) {
                throw wrongType("metadata." + shown(field.getKey()), "a string", field.getValue());
            }
            if (field.getValue().asText().length() > 512) {
                throw invalidValue("metadata." + shown(field.getKey()), "Invalid 'metadata': values are at most 512 characters.");
            }
            values.put(field.getKey(), field.getValue().asText());
        }
        return values;
    }

    private static String metadataJson(Map<String, String> metadata) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        metadata.forEach(node::put);
        return node.toString();
    }

    /** Every other top-level field, raw, for the backend to forward or refuse: vendor extras and the fields chat shares. */
    private static Map<String, String> passThrough(JsonNode root) {
        Map<String, String> extra = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (TYPED.contains(name) || field.getValue().isNull()) {
                continue;
            }
            if (name.isEmpty() || name.length() > 128) {
                throw invalidValue(name.isEmpty() ? null : name.substring(0, 128),
                        "Unrecognized request argument: field names must be 1 to 128 characters.");
            }
            if (FORWARDED.contains(name) && !field.getValue().isTextual()) {
                throw wrongType(name, "a string", field.getValue());
            }
            extra.put(name, field.getValue().toString());
        }
        return extra;
    }

    // ---- input ----

    private static List<InputItem> input(JsonNode root) {
        JsonNode input = member(root, "input");
        if (input == null) {
            throw missing("input");
        }
        if (input.isTextual()) {
            return List.of(new InputItem.Message(ChatMessage.user(input.asText())));
        }
        if (!input.isArray()) {
            throw wrongType("input", "a string or an array of input items", input);
        }
        if (input.isEmpty()) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid 'input': empty array. Expected a string or at least one input item.", "input", "empty_array", null));
        }
        if (input.size() > MAX_ITEMS) {
            throw invalidValue("input", "Invalid 'input': at most " + MAX_ITEMS + " items per request.");
        }
        List<InputItem> items = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            items.add(item(input.get(i), "input[" + i + "]"));
        }
        return items;
    }

    /** Refuses fields of an object this door does not read (ids, statuses and phases describe an item and are accepted). */
    private static void only(JsonNode object, String path, Set<String> allowed) {
        Iterator<String> fields = object.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!allowed.contains(field) && !object.get(field).isNull()) {
                throw unsupported(path + "." + shown(field), "'" + shown(field) + "' is not supported in " + path + " on this gateway.");
            }
        }
    }

    private static InputItem item(JsonNode item, String path) {
        if (!item.isObject()) {
            throw wrongType(path, "an object", item);
        }
        String type = optionalString(item, "type", path + ".type");
        if (type == null) {
            if (member(item, "role") == null) {
                throw missing(path + ".type");
            }
            type = "message";
        }
        switch (type) {
            case "message":
                only(item, path, Set.of("type", "role", "content", "id", "status", "phase"));
                return new InputItem.Message(message(item, path));
            case "function_call": {
                only(item, path, Set.of("type", "call_id", "name", "arguments", "id", "status"));
                String callId = requiredString(item, "call_id", path + ".call_id");
                String name = requiredString(item, "name", path + ".name");
                String arguments = requiredString(item, "arguments", path + ".arguments");
                try {
                    return new InputItem.Call(ToolCall.function(callId, name, arguments));
                } catch (InvalidValueException e) {
                    throw invalidValue(path, e.getMessage());
                }
            }
            case "custom_tool_call": {
                only(item, path, Set.of("type", "call_id", "name", "input", "id", "status"));
                String callId = requiredString(item, "call_id", path + ".call_id");
                String name = requiredString(item, "name", path + ".name");
                String input = requiredString(item, "input", path + ".input");
                try {
                    return new InputItem.Call(new ToolCall(callId, "custom", name, input));
                } catch (InvalidValueException e) {
                    throw invalidValue(path, e.getMessage());
                }
            }
            case "custom_tool_call_output":
            case "function_call_output": {
                only(item, path, Set.of("type", "call_id", "output", "id", "status"));
                String callId = requiredString(item, "call_id", path + ".call_id");
                JsonNode output = member(item, "output");
                if (output == null) {
                    throw missing(path + ".output");
                }
                if (output.isTextual()) {
                    return new InputItem.Output(callId, output.asText(), List.of());
                }
                if (!output.isArray()) {
                    throw wrongType(path + ".output", "a string or an array of content parts", output);
                }
                return new InputItem.Output(callId, null, parts(output, path + ".output", Role.TOOL));
            }
            case "reasoning":
                only(item, path, Set.of("type", "id", "summary", "content", "encrypted_content", "status"));
                return reasoning(item, path);
            case "item_reference":
                only(item, path, Set.of("type", "id"));
                return new InputItem.Reference(requiredString(item, "id", path + ".id"), path + ".id");
            case "web_search_call":
                return new InputItem.Skip(); // a search already done: its sources are in the answer it led to
            default:
                throw unsupported(path + ".type", "Input items of type '" + shown(type) + "' are not supported on this gateway: it serves "
                        + "messages, function and custom tool calls and their outputs, reasoning and item_reference items.");
        }
    }

    private static ChatMessage message(JsonNode item, String path) {
        String roleName = requiredString(item, "role", path + ".role");
        Role role;
        switch (roleName) {
            case "user":
                role = Role.USER;
                break;
            case "assistant":
                role = Role.ASSISTANT;
                break;
            case "system":
            case "developer":
                role = Role.SYSTEM;
                break;
            default:
                throw invalidValue(path + ".role", "Invalid value: '" + shown(roleName)
                        + "'. Supported values are: 'user', 'assistant', 'system', and 'developer'.");
        }
        JsonNode content = member(item, "content");
        if (content == null) {
            throw missing(path + ".content");
        }
        if (content.isTextual()) {
            return new ChatMessage(role, content.asText(), null);
        }
        if (!content.isArray()) {
            throw wrongType(path + ".content", "a string or an array of content parts", content);
        }
        List<ContentPart> parts = new ArrayList<>();
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String at = path + ".content[" + i + "]";
            if (part.isObject() && "refusal".equals(part.path("type").asText(null)) && role == Role.ASSISTANT) {
                extra.put("refusal", RawJson.quote(requiredString(part, "refusal", at + ".refusal")));
                continue;
            }
            parts.add(part(part, at, role));
        }
        try {
            if (parts.stream().allMatch(ContentPart::isText) && parts.stream().allMatch(p -> p.json() == null)) {
                // Plain text parts travel as one string: what every backend takes.
                StringBuilder text = new StringBuilder();
                for (ContentPart p : parts) {
                    if (text.length() > 0) {
                        text.append('\n');
                    }
                    text.append(p.text());
                }
                return ChatMessage.builder(role).content(text.toString()).extra(extra).build();
            }
            return ChatMessage.builder(role).parts(parts).extra(extra).build();
        } catch (InvalidValueException e) {
            throw invalidValue(path + "." + e.param(), e.getMessage());
        }
    }

    private static List<ContentPart> parts(JsonNode array, String path, Role role) {
        List<ContentPart> parts = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            parts.add(part(array.get(i), path + "[" + i + "]", role));
        }
        return parts;
    }

    /** A content part, as chat carries it: text, image_url, file or input_audio. */
    private static ContentPart part(JsonNode part, String path, Role role) {
        if (!part.isObject()) {
            throw wrongType(path, "an object", part);
        }
        String type = requiredString(part, "type", path + ".type");
        ObjectNode chat = JsonNodeFactory.instance.objectNode();
        switch (type) {
            case "input_text":
            case "output_text":
            case "text": {
                only(part, path, "output_text".equals(type) ? Set.of("type", "text", "annotations", "logprobs") : Set.of("type", "text"));
                String text = requiredString(part, "text", path + ".text");
                if ("output_text".equals(type) && role != Role.ASSISTANT) {
                    throw invalidValue(path + ".type", "'output_text' parts belong to assistant messages; use 'input_text'.");
                }
                return ContentPart.text(text);
            }
            case "input_image": {
                only(part, path, Set.of("type", "image_url", "file_id", "detail"));
                if (member(part, "file_id") != null) {
                    throw unsupported(path + ".file_id", "Images given by file id are not supported: this gateway has no Files API. "
                            + "Send 'image_url' (an https: or data: URL).");
                }
                String url = requiredString(part, "image_url", path + ".image_url");
                ObjectNode image = chat.put("type", "image_url").putObject("image_url").put("url", url);
                String detail = optionalString(part, "detail", path + ".detail");
                if (detail != null) {
                    image.put("detail", detail);
                }
                return ContentPart.of(ContentPart.IMAGE_URL, chat.toString());
            }
            case "input_file": {
                only(part, path, Set.of("type", "file_data", "file_id", "file_url", "filename"));
                if (member(part, "file_url") != null) {
                    throw unsupported(path + ".file_url", "Files given by URL are not supported: send the file's content in 'file_data' "
                            + "(a data: URL) with its 'filename'.");
                }
                ObjectNode file = chat.put("type", "file").putObject("file");
                String data = optionalString(part, "file_data", path + ".file_data");
                String id = optionalString(part, "file_id", path + ".file_id");
                if (data == null && id == null) {
                    throw missing(path + ".file_data");
                }
                if (data != null) {
                    file.put("file_data", data);
                }
                if (id != null) {
                    file.put("file_id", id);
                }
                String filename = optionalString(part, "filename", path + ".filename");
                if (filename != null) {
                    file.put("filename", filename);
                }
                return ContentPart.of(ContentPart.FILE, chat.toString());
            }
            case "input_audio": {
                only(part, path, Set.of("type", "input_audio"));
                JsonNode audio = member(part, "input_audio");
                if (audio == null || !audio.isObject()) {
                    throw audio == null ? missing(path + ".input_audio") : wrongType(path + ".input_audio", "an object", audio);
                }
                requiredString(audio, "data", path + ".input_audio.data");
                requiredString(audio, "format", path + ".input_audio.format");
                chat.put("type", "input_audio").set("input_audio", audio);
                return ContentPart.of(ContentPart.INPUT_AUDIO, chat.toString());
            }
            default:
                throw unsupported(path + ".type", "Content parts of type '" + shown(type) + "' are not supported: use input_text, "
                        + "input_image, input_file or input_audio.");
        }
    }

    private static InputItem reasoning(JsonNode item, String path) {
        if (member(item, "encrypted_content") != null) {
            throw unsupported(path + ".encrypted_content", "Encrypted reasoning cannot be read here: this gateway returns reasoning as text, "
                    + "never encrypted. Send the reasoning's 'summary' or 'content' as text, or leave the item out.");
        }
        StringBuilder text = new StringBuilder();
        for (String field : List.of("content", "summary")) {
            JsonNode parts = optionalArray(item, field, path + "." + field);
            if (parts == null || text.length() > 0) {
                continue;
            }
            for (int i = 0; i < parts.size(); i++) {
                JsonNode part = parts.get(i);
                if (!part.isObject()) {
                    throw wrongType(path + "." + field + "[" + i + "]", "an object", part);
                }
                if (text.length() > 0) {
                    text.append("\n\n");
                }
                text.append(requiredString(part, "text", path + "." + field + "[" + i + "].text"));
            }
        }
        return new InputItem.Reasoning(text.toString());
    }

    // ---- tools ----

    /** The tools as the core takes them, whether the web search tool (served by grounding) was among them, and what to echo. */
    private record Tools(ToolSpec spec, boolean webSearch, String echo, String choiceEcho) {
    }

    private static Tools tools(JsonNode root) {
        JsonNode tools = optionalArray(root, "tools", "tools");
        List<ToolDefinition> definitions = new ArrayList<>();
        boolean webSearch = false;
        if (tools != null) {
            for (int i = 0; i < tools.size(); i++) {
                String path = "tools[" + i + "]";
                JsonNode tool = tools.get(i);
                if (!tool.isObject()) {
                    throw wrongType(path, "an object", tool);
                }
                String type = requiredString(tool, "type", path + ".type");
                if (type.equals("function")) {
                    definitions.add(function(tool, path));
                } else if (type.equals("custom")) {
                    definitions.add(custom(tool, path));
                } else if (WEB_SEARCH_TOOLS.contains(type)) {
                    Iterator<String> options = tool.fieldNames();
                    while (options.hasNext()) {
                        String option = options.next();
                        if (!option.equals("type") && !tool.get(option).isNull()) {
                            throw unsupported(path + "." + option, "The web search tool is served by Meridian's own grounding, which takes no '"
                                    + shown(option) + "': configure web search on the gateway instead.");
                        }
                    }
                    webSearch = true;
                } else {
                    throw unsupported(path + ".type", "The hosted tool '" + shown(type) + "' is not available on this gateway: it runs function "
                            + "and custom tools (which your code executes) and serves 'web_search' with its own grounding.");
                }
            }
        }
        Optional<ToolChoice> choice = choice(member(root, "tool_choice"), webSearch);
        Boolean parallel = optionalBoolean(root, "parallel_tool_calls");
        if (choice.isPresent() && definitions.isEmpty() && !"none".equals(choice.get().mode()) && !"auto".equals(choice.get().mode())) {
            throw invalidValue("tool_choice", "Invalid value for 'tool_choice': it names a function or requires one, but the request has no function tools.");
        }
        ToolSpec spec;
        try {
            spec = new ToolSpec(definitions, choice, Optional.ofNullable(parallel), false);
        } catch (InvalidValueException e) {
            throw invalidValue(responsesParam(e.param()), e.getMessage());
        }
        String echo = tools == null ? "[]" : tools.toString();
        JsonNode choiceNode = member(root, "tool_choice");
        return new Tools(spec, webSearch, echo, choiceNode == null ? "\"auto\"" : choiceNode.toString());
    }

    /**
     * A custom tool (free-form input, optionally constrained by a grammar), in chat's shape ({@code {"type":"custom",
     * "custom":{...}}}); only upstreams that know custom tools (OpenAI's) can take it, the others refuse the request.
     */
    private static ToolDefinition custom(JsonNode tool, String path) {
        only(tool, path, Set.of("type", "name", "description", "format"));
        String name = requiredString(tool, "name", path + ".name");
        checkName(name, path + ".name");
        String description = optionalString(tool, "description", path + ".description");
        JsonNode format = optionalObject(tool, "format", path + ".format");
        ObjectNode chat = JsonNodeFactory.instance.objectNode();
        chat.put("type", "custom");
        ObjectNode custom = chat.putObject("custom");
        custom.put("name", name);
        if (description != null) {
            custom.put("description", description);
        }
        if (format != null) {
            custom.set("format", format);
        }
        return new ToolDefinition("custom", name, description, null, chat.toString());
    }

    private static void checkName(String name, String path) {
        if (name.isEmpty() || name.length() > 64 || !name.chars().allMatch(c -> c == '_' || c == '-' || c < 128 && Character.isLetterOrDigit(c))) {
            throw invalidValue(path, "Invalid '" + path + "': '" + shown(name) + "'. Expected a string of 1 to 64 letters, digits, underscores or dashes.");
        }
    }

    /** A function tool, in chat's shape for the backend ({@code {"type":"function","function":{...}}}). */
    private static ToolDefinition function(JsonNode tool, String path) {
        String name = requiredString(tool, "name", path + ".name");
        checkName(name, path + ".name");
        String description = optionalString(tool, "description", path + ".description");
        JsonNode parameters = optionalObject(tool, "parameters", path + ".parameters");
        Boolean strict = optionalBoolean(tool, "strict", path + ".strict");
        Iterator<String> fields = tool.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!Set.of("type", "name", "description", "parameters", "strict").contains(field) && !tool.get(field).isNull()) {
                throw unsupported(path + "." + field, "'" + shown(field) + "' is not supported on function tools here.");
            }
        }
        ObjectNode chat = JsonNodeFactory.instance.objectNode();
        chat.put("type", "function");
        ObjectNode function = chat.putObject("function");
        function.put("name", name);
        if (description != null) {
            function.put("description", description);
        }
        if (parameters != null) {
            function.set("parameters", parameters);
        }
        if (strict != null) {
            function.put("strict", strict);
        }
        return new ToolDefinition("function", name, description, parameters == null ? null : parameters.toString(), chat.toString());
    }

    private static Optional<ToolChoice> choice(JsonNode node, boolean webSearch) {
        if (node == null) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            switch (node.asText()) {
                case "none":
                    return Optional.of(ToolChoice.NONE);
                case "auto":
                    return Optional.of(ToolChoice.AUTO);
                case "required":
                    return Optional.of(ToolChoice.REQUIRED);
                default:
                    throw invalidValue("tool_choice", "Invalid value: '" + shown(node.asText()) + "'. Supported values are: 'none', 'auto', and 'required'.");
            }
        }
        if (!node.isObject()) {
            throw wrongType("tool_choice", "a string or an object", node);
        }
        String type = requiredString(node, "type", "tool_choice.type");
        if (type.equals("function")) {
            String name = requiredString(node, "name", "tool_choice.name");
            ObjectNode chat = JsonNodeFactory.instance.objectNode();
            chat.put("type", "function").putObject("function").put("name", name);
            return Optional.of(new ToolChoice("function", name, chat.toString()));
        }
        if (type.equals("custom")) {
            String name = requiredString(node, "name", "tool_choice.name");
            ObjectNode chat = JsonNodeFactory.instance.objectNode();
            chat.put("type", "custom").putObject("custom").put("name", name);
            return Optional.of(new ToolChoice("function", name, chat.toString()));
        }
        if (type.equals("allowed_tools")) {
            String mode = requiredString(node, "mode", "tool_choice.mode");
            JsonNode allowed = optionalArray(node, "tools", "tool_choice.tools");
            if (allowed == null) {
                throw missing("tool_choice.tools");
            }
            ObjectNode chat = JsonNodeFactory.instance.objectNode();
            ObjectNode inner = chat.put("type", "allowed_tools").putObject("allowed_tools");
            inner.put("mode", mode);
            var list = inner.putArray("tools");
            for (int i = 0; i < allowed.size(); i++) {
                JsonNode tool = allowed.get(i);
                String kind = tool.isObject() ? tool.path("type").asText("") : "";
                if (!kind.equals("function") && !kind.equals("custom")) {
                    throw unsupported("tool_choice.tools[" + i + "]", "Only function and custom tools can be allowed here.");
                }
                list.addObject().put("type", kind).putObject(kind).put("name", requiredString(tool, "name", "tool_choice.tools[" + i + "].name"));
            }
            return Optional.of(new ToolChoice("other", null, chat.toString()));
        }
        if (WEB_SEARCH_TOOLS.contains(type) && webSearch) {
            return Optional.empty(); // grounding searches every time: the choice is already honoured
        }
        throw unsupported("tool_choice.type", "tool_choice of type '" + shown(type) + "' is not available on this gateway.");
    }

    // ---- text and reasoning ----

    private record TextSettings(ResponseFormat format, String verbosity, String echo) {
    }

    private static TextSettings text(JsonNode root) {
        JsonNode text = optionalObject(root, "text", "text");
        if (text == null) {
            return new TextSettings(null, null, "{\"format\":{\"type\":\"text\"}}");
        }
        ResponseFormat format = null;
        JsonNode node = optionalObject(text, "format", "text.format");
        if (node != null) {
            String type = requiredString(node, "type", "text.format.type");
            switch (type) {
                case "text":
                    format = ResponseFormat.TEXT;
                    break;
                case "json_object":
                    format = ResponseFormat.JSON_OBJECT;
                    break;
                case "json_schema": {
                    ObjectNode schema = JsonNodeFactory.instance.objectNode();
                    schema.put("name", requiredString(node, "name", "text.format.name"));
                    JsonNode body = optionalObject(node, "schema", "text.format.schema");
                    if (body == null) {
                        throw missing("text.format.schema");
                    }
                    String description = optionalString(node, "description", "text.format.description");
                    if (description != null) {
                        schema.put("description", description);
                    }
                    schema.set("schema", body);
                    Boolean strict = optionalBoolean(node, "strict", "text.format.strict");
                    if (strict != null) {
                        schema.put("strict", strict);
                    }
                    format = new ResponseFormat("json_schema", schema.toString());
                    break;
                }
                default:
                    throw invalidValue("text.format.type", "Invalid value: '" + shown(type) + "'. Supported values are: 'text', 'json_object', and 'json_schema'.");
            }
        }
        String verbosity = optionalString(text, "verbosity", "text.verbosity");
        if (verbosity != null && !Set.of("low", "medium", "high").contains(verbosity)) {
            throw invalidValue("text.verbosity", "Invalid value: '" + shown(verbosity) + "'. Supported values are: 'low', 'medium', and 'high'.");
        }
        Iterator<String> fields = text.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!field.equals("format") && !field.equals("verbosity") && !text.get(field).isNull()) {
                throw unsupported("text." + shown(field), "'text." + shown(field) + "' is not supported.");
            }
        }
        ObjectNode echo = JsonNodeFactory.instance.objectNode();
        if (node != null) {
            echo.set("format", node);
        } else {
            echo.putObject("format").put("type", "text");
        }
        if (verbosity != null) {
            echo.put("verbosity", verbosity);
        }
        return new TextSettings(format, verbosity, echo.toString());
    }

    private record ReasoningSettings(String effort, boolean summary, String echo) {
    }

    private static ReasoningSettings reasoning(JsonNode root) {
        JsonNode reasoning = optionalObject(root, "reasoning", "reasoning");
        if (reasoning == null) {
            return new ReasoningSettings(null, false, "{\"effort\":null,\"summary\":null}");
        }
        String effort = optionalString(reasoning, "effort", "reasoning.effort");
        if (effort != null && !REASONING_EFFORTS.contains(effort)) {
            throw invalidValue("reasoning.effort", "Invalid value: '" + shown(effort) + "'. Supported values are: "
                    + String.join(", ", new java.util.TreeSet<>(REASONING_EFFORTS)) + ".");
        }
        String summary = optionalString(reasoning, "summary", "reasoning.summary");
        String generate = optionalString(reasoning, "generate_summary", "reasoning.generate_summary");
        for (String value : new String[] {summary, generate}) {
            if (value != null && !Set.of("auto", "concise", "detailed").contains(value)) {
                throw invalidValue("reasoning.summary", "Invalid value: '" + shown(value) + "'. Supported values are: 'auto', 'concise', and 'detailed'.");
            }
        }
        Iterator<String> fields = reasoning.fieldNames();
        while (fields.hasNext()) {
            String field = fields.next();
            if (!Set.of("effort", "summary", "generate_summary").contains(field) && !reasoning.get(field).isNull()) {
                throw unsupported("reasoning." + shown(field), "'reasoning." + shown(field) + "' is not supported on this gateway.");
            }
        }
        String shownSummary = summary != null ? summary : generate;
        ObjectNode echo = JsonNodeFactory.instance.objectNode();
        if (effort == null) {
            echo.putNull("effort");
        } else {
            echo.put("effort", effort);
        }
        if (shownSummary == null) {
            echo.putNull("summary");
        } else {
            echo.put("summary", shownSummary);
        }
        return new ReasoningSettings(effort, shownSummary != null, echo.toString());
    }
}
