package ai.meridian.adapter.out.triton;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns chat messages into the one prompt string a raw-text Triton model takes, ending with the
 * assistant's turn opened so the model writes the answer. The beginning-of-sequence token is left to
 * the server's tokenizer (vLLM and the TensorRT-LLM preprocessing add it), unless asked for.
 */
enum ChatTemplate {
    /** {@code <|im_start|>role\ncontent<|im_end|>\n} per message (Qwen, Yi, many fine-tunes). */
    CHATML("chatml", "") {
        @Override
        void render(List<ChatMessage> messages, StringBuilder prompt) {
            for (ChatMessage m : messages) {
                prompt.append("<|im_start|>").append(m.role().wireName()).append('\n').append(m.content()).append("<|im_end|>\n");
            }
            prompt.append("<|im_start|>assistant\n");
        }
    },
    /** DeepSeek V3/R1: system text first, then {@code <｜User｜>} and {@code <｜Assistant｜>} turns. */
    DEEPSEEK("deepseek", "<｜begin▁of▁sentence｜>") {
        @Override
        void render(List<ChatMessage> messages, StringBuilder prompt) {
            List<String> system = new ArrayList<>();
            for (ChatMessage m : messages) {
                if (m.role() == Role.SYSTEM) {
                    system.add(m.content());
                }
            }
            prompt.append(String.join("\n\n", system));
            for (ChatMessage m : messages) {
                if (m.role() == Role.USER) {
                    prompt.append("<｜User｜>").append(m.content());
                } else if (m.role() == Role.ASSISTANT) {
                    prompt.append("<｜Assistant｜>").append(withoutReasoning(m.content())).append("<｜end▁of▁sentence｜>");
                }
            }
            prompt.append("<｜Assistant｜>");
        }
    },
    /** Llama 3.x: header-delimited turns, each content trimmed as Meta's template does. */
    LLAMA3("llama3", "<|begin_of_text|>") {
        @Override
        void render(List<ChatMessage> messages, StringBuilder prompt) {
            for (ChatMessage m : messages) {
                prompt.append("<|start_header_id|>").append(m.role().wireName()).append("<|end_header_id|>\n\n")
                        .append(m.content().strip()).append("<|eot_id|>");
            }
            prompt.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
    },
    /** The contents one per line, no markup: for models whose Triton side applies its own template. */
    RAW("raw", "") {
        @Override
        void render(List<ChatMessage> messages, StringBuilder prompt) {
            for (int i = 0; i < messages.size(); i++) {
                if (i > 0) {
                    prompt.append('\n');
                }
                prompt.append(messages.get(i).content());
            }
        }
    };

    private final String configName;
    private final String beginOfSequence;

    ChatTemplate(String configName, String beginOfSequence) {
        this.configName = configName;
        this.beginOfSequence = beginOfSequence;
    }

    abstract void render(List<ChatMessage> messages, StringBuilder prompt);

    /**
     * The prompt for these messages; {@code withBos} prepends the model's beginning-of-sequence token. A last assistant
     * message marked {@code prefix: true} (a partial answer to continue, as DeepSeek's API takes it) is not closed: the
     * prompt ends inside the assistant's turn, with its text, so the model writes on from there.
     */
    String prompt(List<ChatMessage> messages, boolean withBos) {
        StringBuilder prompt = new StringBuilder(64 + messages.size() * 96);
        if (withBos) {
            prompt.append(beginOfSequence);
        }
        ChatMessage open = openAssistantTurn(messages);
        if (open == null) {
            render(messages, prompt);
        } else {
            render(messages.subList(0, messages.size() - 1), prompt);
            if (this == RAW && !messages.isEmpty()) {
                prompt.append('\n');
            }
            prompt.append(open.content());
        }
        return prompt.toString();
    }

    /** The last message when it is an assistant's partial answer to continue ({@code prefix: true}), else null. */
    static ChatMessage openAssistantTurn(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            return null;
        }
        ChatMessage last = messages.get(messages.size() - 1);
        return last.role() == Role.ASSISTANT && "true".equals(last.extra().get("prefix")) ? last : null;
    }

    String configName() {
        return configName;
    }

    static ChatTemplate named(String name) {
        for (ChatTemplate t : values()) {
            if (t.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown chat template '" + name + "'");
    }

    /** An earlier DeepSeek-R1 answer goes back without its reasoning, as DeepSeek's own template does. */
    private static String withoutReasoning(String content) {
        int end = content.lastIndexOf("</think>");
        return end < 0 ? content : content.substring(end + "</think>".length());
    }
}
