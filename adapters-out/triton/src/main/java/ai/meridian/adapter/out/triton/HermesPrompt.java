package ai.meridian.adapter.out.triton;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The ChatML prompt of the Hermes/Qwen tool-calling convention, as Qwen2.5's chat template writes it (the
 * format vLLM's {@code hermes} tool parser reads back): the tools' JSON signatures in a {@code # Tools} section
 * of the system turn, each earlier call as {@code <tool_call>{"name": …, "arguments": …}</tool_call>} in its
 * assistant turn, tool results as {@code <tool_response>} blocks of one user turn. JSON is written as the
 * template's {@code tojson} writes it (see {@link PythonJson}).
 *
 * <p>Where the template has a vendor default (Qwen's "You are Qwen…" system sentence when the client sent no
 * system message) nothing is added: the gateway does not speak for the model's vendor.
 */
final class HermesPrompt {
    static final String TOOLS_INTRO = "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
    static final String TOOLS_OUTRO = "\n</tools>\n\nFor each function call, return a json object with function name and arguments "
            + "within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";
    static final String CALL_OPEN = "<tool_call>";
    static final String CALL_CLOSE = "</tool_call>";

    private HermesPrompt() {
    }

    /**
     * The prompt for {@code messages}, ending with the assistant's turn opened and, when {@code tool_choice}
     * demands a call, the beginning of that call written for the model ({@link #prefill}).
     * Throws {@link IllegalArgumentException} for a {@code tool_choice} form the convention cannot honour.
     */
    static String render(List<ChatMessage> messages, ToolSpec tools) {
        StringBuilder prompt = new StringBuilder(256 + messages.size() * 128 + tools.tools().size() * 256);
        int start = 0;
        if (tools.offered()) {
            prompt.append("<|im_start|>system\n");
            if (!messages.isEmpty() && messages.get(0).role() == Role.SYSTEM) {
                prompt.append(messages.get(0).content()).append("\n\n");
                start = 1;
            }
            prompt.append(TOOLS_INTRO);
            for (ToolDefinition tool : tools.tools()) {
                prompt.append('\n').append(signature(tool));
            }
            prompt.append(TOOLS_OUTRO).append("<|im_end|>\n");
        }
        for (int i = start; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role().isToolResult()) {
                if (i == start || !messages.get(i - 1).role().isToolResult()) {
                    prompt.append("<|im_start|>user");
                }
                prompt.append("\n<tool_response>\n").append(m.content()).append("\n</tool_response>");
                if (i == messages.size() - 1 || !messages.get(i + 1).role().isToolResult()) {
                    prompt.append("<|im_end|>\n");
                }
            } else if (m.role() == Role.ASSISTANT && m.callsTools()) {
                prompt.append("<|im_start|>assistant");
                if (!m.content().isEmpty()) {
                    prompt.append('\n').append(m.content());
                }
                for (ToolCall call : calls(m)) {
                    prompt.append('\n').append(CALL_OPEN).append("\n{\"name\": ").append(PythonJson.quote(call.name()))
                            .append(", \"arguments\": ").append(arguments(call.arguments())).append("}\n").append(CALL_CLOSE);
                }
                prompt.append("<|im_end|>\n");
            } else {
                prompt.append("<|im_start|>").append(m.role().wireName()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
        }
        prompt.append("<|im_start|>assistant\n").append(prefill(tools));
        return prompt.toString();
    }

    /**
     * What the assistant's turn starts with so that the model must call a tool: {@code <tool_call>} for
     * {@code required}, the call's name as well for a named tool, nothing otherwise. The model continues from it;
     * the parser reads it as if the model had written it.
     */
    static String prefill(ToolSpec tools) {
        if (!tools.offered() || tools.choice().isEmpty()) {
            return "";
        }
        ToolChoice choice = tools.choice().get();
        switch (choice.mode()) {
            case "auto":
            case "none":
                return "";
            case "required":
                return CALL_OPEN + "\n";
            case "function":
                return CALL_OPEN + "\n{\"name\": " + PythonJson.quote(choice.toolName()) + ", \"arguments\": ";
            default:
                throw new IllegalArgumentException("tool_choice " + choice.json() + " cannot be honoured by the Hermes tool-calling "
                        + "convention; use \"auto\", \"required\", \"none\" or name one function");
        }
    }

    /** A tool's signature as the template writes it: the whole tool object the client sent. */
    private static String signature(ToolDefinition tool) {
        try {
            return PythonJson.of(tool.json());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tool '" + tool.name() + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Earlier arguments as vLLM hands them to the template: parsed from the JSON text the client sent back
     * (so they are written as an object), or as a string when they are not JSON.
     */
    private static String arguments(String arguments) {
        if (arguments.isBlank()) {
            return "{}";
        }
        try {
            return PythonJson.of(arguments);
        } catch (IllegalArgumentException notJson) {
            return PythonJson.quote(arguments);
        }
    }

    private static List<ToolCall> calls(ChatMessage m) {
        if (m.functionCall() == null) {
            return m.toolCalls();
        }
        List<ToolCall> all = new ArrayList<>(m.toolCalls());
        all.add(m.functionCall());
        return all;
    }
}
