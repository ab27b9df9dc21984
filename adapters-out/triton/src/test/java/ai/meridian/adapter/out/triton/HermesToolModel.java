package ai.meridian.adapter.out.triton;

import ai.meridian.support.json.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the fake Triton's Hermes-style tool-calling model writes, decided from the prompt as a Qwen2.5 model
 * would: with a {@code <tools>} section and a user's question last, it calls the first tool with the question as
 * its first parameter, as {@code <tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>}; after a
 * {@code <tool_response>} it answers in words with what the tool said; without tools it greets. A prompt that
 * already opens the call ({@code tool_choice}) is continued from where it stops. The output comes in small pieces,
 * so a call's JSON arrives split, as a real model's tokens split it.
 */
final class HermesToolModel {
    private static final String ASSISTANT = "<|im_start|>assistant\n";

    private HermesToolModel() {
    }

    static List<String> answer(String prompt) {
        int turn = prompt.lastIndexOf(ASSISTANT);
        String prefill = turn < 0 ? "" : prompt.substring(turn + ASSISTANT.length());
        String before = turn < 0 ? prompt : prompt.substring(0, turn);
        if (before.endsWith("</tool_response><|im_end|>\n")) {
            int start = before.lastIndexOf("<tool_response>\n") + "<tool_response>\n".length();
            String result = before.substring(start, before.lastIndexOf("\n</tool_response>"));
            return pieces("The tool says: " + result, 5);
        }
        List<String> tools = tools(prompt);
        if (tools.isEmpty()) {
            return pieces("Hello from a fake Qwen.", 6);
        }
        Map<String, String> function = RawJson.objectMembers(RawJson.objectMembers(tools.get(0)).get("function"));
        String name = RawJson.stringValue(function.get("name"));
        String param = "input";
        if (function.containsKey("parameters")) {
            String properties = RawJson.objectMembers(function.get("parameters")).get("properties");
            if (properties != null && !RawJson.objectMembers(properties).isEmpty()) {
                param = RawJson.objectMembers(properties).keySet().iterator().next();
            }
        }
        String question = lastUserMessage(before);
        String arguments = "{\"" + param + "\": " + quote(question) + "}";
        String call = "<tool_call>\n{\"name\": \"" + name + "\", \"arguments\": " + arguments + "}\n</tool_call>";
        if (prefill.isEmpty()) {
            return pieces("I will ask the tool.\n" + call, 4);
        }
        if (!call.startsWith(prefill)) {
            // A prefill naming another tool: follow it, with the same arguments.
            return pieces(arguments + "}\n</tool_call>", 4);
        }
        return pieces(call.substring(prefill.length()), 4);
    }

    /** The tools section's lines, one JSON signature each. */
    private static List<String> tools(String prompt) {
        int open = prompt.indexOf("<tools>\n");
        int close = prompt.indexOf("\n</tools>");
        List<String> tools = new ArrayList<>();
        if (open < 0 || close < open) {
            return tools;
        }
        for (String line : prompt.substring(open + "<tools>\n".length(), close).split("\n")) {
            tools.add(line);
        }
        return tools;
    }

    private static String lastUserMessage(String prompt) {
        int start = prompt.lastIndexOf("<|im_start|>user\n");
        if (start < 0) {
            return "";
        }
        String rest = prompt.substring(start + "<|im_start|>user\n".length());
        int end = rest.indexOf("<|im_end|>");
        return end < 0 ? rest : rest.substring(0, end);
    }

    private static String quote(String text) {
        return RawJson.quote(text);
    }

    private static List<String> pieces(String text, int size) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); i += size) {
            pieces.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return pieces;
    }
}
