package ai.meridian.support.openaiwire;

import static ai.meridian.support.inboundhttp.RequestJson.invalidValue;
import static ai.meridian.support.inboundhttp.RequestJson.missing;
import static ai.meridian.support.inboundhttp.RequestJson.optionalString;
import static ai.meridian.support.inboundhttp.RequestJson.requiredObject;
import static ai.meridian.support.inboundhttp.RequestJson.requiredString;
import static ai.meridian.support.inboundhttp.RequestJson.wrongType;

import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the tool-calling parts of a chat request: {@code tools}, {@code tool_choice},
 * {@code parallel_tool_calls}, the legacy {@code functions}/{@code function_call}, and the tool calls of
 * assistant messages. Each tool keeps the object the client wrote, so it reaches the backend unchanged.
 */
final class ToolsParser {
    private ToolsParser() {
    }

    static ToolSpec tools(JsonNode root) {
        JsonNode tools = root.get("tools");
        JsonNode functions = root.get("functions");
        boolean hasTools = tools != null && !tools.isNull();
        boolean hasFunctions = functions != null && !functions.isNull();
        if (hasTools && hasFunctions) {
            throw invalidValue("functions", "Send either 'tools' or the deprecated 'functions', not both.");
        }
        boolean legacy = hasFunctions;
        List<ToolDefinition> definitions = legacy ? functions(functions) : hasTools ? toolDefinitions(tools) : List.of();
        Optional<ToolChoice> choice = legacy ? legacyChoice(root.get("function_call")) : choice(root.get("tool_choice"));
        if (!legacy && root.hasNonNull("function_call")) {
            throw invalidValue("function_call", "'function_call' goes with the deprecated 'functions'; use 'tool_choice' with 'tools'.");
        }
        if (legacy && root.hasNonNull("tool_choice")) {
            throw invalidValue("tool_choice", "'tool_choice' goes with 'tools'; use 'function_call' with the deprecated 'functions'.");
        }
        Optional<Boolean> parallel = Optional.empty();
        JsonNode p = root.get("parallel_tool_calls");
        if (p != null && !p.isNull()) {
            if (!p.isBoolean()) {
                throw wrongType("parallel_tool_calls", "a boolean", p);
            }
            parallel = Optional.of(p.booleanValue());
        }
        if (choice.isPresent() && definitions.isEmpty() && !"none".equals(choice.get().mode()) && !"auto".equals(choice.get().mode())) {
            String param = legacy ? "function_call" : "tool_choice";
            throw invalidValue(param, "Invalid value for '" + param + "': it names a tool or requires one, but the request has no tools.");
        }
        return new ToolSpec(definitions, choice, parallel, legacy);
    }

    private static List<ToolDefinition> toolDefinitions(JsonNode node) {
        if (!node.isArray()) {
            throw wrongType("tools", "an array", node);
        }
        List<ToolDefinition> tools = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String path = "tools[" + i + "]";
            JsonNode tool = node.get(i);
            if (!tool.isObject()) {
                throw wrongType(path, "an object", tool);
            }
            String type = requiredString(tool, "type", path + ".type");
            JsonNode body = requiredObject(tool, type, path + "." + type);
            String name = requiredString(body, "name", path + "." + type + ".name");
            checkName(name, path + "." + type + ".name");
            JsonNode parameters = body.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw wrongType(path + "." + type + ".parameters", "an object", parameters);
            }
            tools.add(new ToolDefinition(type, name, optionalString(body, "description", path + "." + type + ".description"),
                    parameters == null || parameters.isNull() ? null : parameters.toString(), tool.toString()));
        }
        return tools;
    }

    private static List<ToolDefinition> functions(JsonNode node) {
        if (!node.isArray()) {
            throw wrongType("functions", "an array", node);
        }
        List<ToolDefinition> tools = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String path = "functions[" + i + "]";
            JsonNode function = node.get(i);
            if (!function.isObject()) {
                throw wrongType(path, "an object", function);
            }
            String name = requiredString(function, "name", path + ".name");
            checkName(name, path + ".name");
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw wrongType(path + ".parameters", "an object", parameters);
            }
            tools.add(new ToolDefinition("function", name, optionalString(function, "description", path + ".description"),
                    parameters == null || parameters.isNull() ? null : parameters.toString(), function.toString()));
        }
        return tools;
    }

    /** OpenAI's rule for tool names: letters, digits, underscores and dashes, at most 64. */
    private static void checkName(String name, String path) {
        if (name.isEmpty() || name.length() > 64 || !name.chars().allMatch(c -> c == '_' || c == '-' || c < 128 && Character.isLetterOrDigit(c))) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "Invalid '" + path + "': '" + truncated(name)
                    + "'. Expected a string of 1 to 64 letters, digits, underscores or dashes.", path, "invalid_value", null));
        }
    }

    private static Optional<ToolChoice> choice(JsonNode node) {
        if (node == null || node.isNull()) {
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
                    throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "Invalid value: '" + truncated(node.asText())
                            + "'. Supported values are: 'none', 'auto', and 'required'.", "tool_choice", "invalid_value", null));
            }
        }
        if (!node.isObject()) {
            throw wrongType("tool_choice", "a string or an object", node);
        }
        String type = requiredString(node, "type", "tool_choice.type");
        if (type.equals("function")) {
            JsonNode function = requiredObject(node, "function", "tool_choice.function");
            return Optional.of(new ToolChoice("function", requiredString(function, "name", "tool_choice.function.name"), node.toString()));
        }
        return Optional.of(new ToolChoice("other", null, node.toString()));
    }

    private static Optional<ToolChoice> legacyChoice(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            switch (node.asText()) {
                case "none":
                    return Optional.of(ToolChoice.NONE);
                case "auto":
                    return Optional.of(ToolChoice.AUTO);
                default:
                    throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "Invalid value: '" + truncated(node.asText())
                            + "'. Supported values are: 'none' and 'auto', or an object naming a function.", "function_call", "invalid_value", null));
            }
        }
        if (!node.isObject()) {
            throw wrongType("function_call", "a string or an object", node);
        }
        return Optional.of(new ToolChoice("function", requiredString(node, "name", "function_call.name"), node.toString()));
    }

    /** The tool calls of an assistant message in the history. */
    static List<ToolCall> toolCalls(JsonNode node, String path) {
        if (!node.isArray()) {
            throw wrongType(path, "an array", node);
        }
        List<ToolCall> calls = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode call = node.get(i);
            if (!call.isObject()) {
                throw wrongType(at, "an object", call);
            }
            String id = requiredString(call, "id", at + ".id");
            String type = optionalString(call, "type", at + ".type");
            type = type == null ? "function" : type;
            if (type.equals("custom")) {
                JsonNode custom = requiredObject(call, "custom", at + ".custom");
                String input = optionalString(custom, "input", at + ".custom.input");
                calls.add(new ToolCall(id, type, requiredString(custom, "name", at + ".custom.name"), input));
                continue;
            }
            JsonNode function = requiredObject(call, "function", at + ".function");
            String arguments = optionalString(function, "arguments", at + ".function.arguments");
            if (arguments == null) {
                throw missing(at + ".function.arguments");
            }
            calls.add(new ToolCall(id, type, requiredString(function, "name", at + ".function.name"), arguments));
        }
        return calls;
    }

    /** The legacy {@code function_call} of an assistant message in the history. */
    static ToolCall functionCall(JsonNode node, String path) {
        if (!node.isObject()) {
            throw wrongType(path, "an object", node);
        }
        String arguments = optionalString(node, "arguments", path + ".arguments");
        return new ToolCall(null, "function", requiredString(node, "name", path + ".name"), arguments == null ? "" : arguments);
    }

    private static String truncated(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }
}
