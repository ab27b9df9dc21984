package ai.meridian.adapter.out.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<ChatMessage> CHAT = List.of(
            ChatMessage.system("You are terse."),
            ChatMessage.user("Hi 你好"),
            ChatMessage.assistant("Hello."),
            ChatMessage.user("  What is 2+2?\n"));

    @Test
    void chatml() {
        assertThat(ChatTemplate.CHATML.prompt(CHAT, false)).isEqualTo(
                "<|im_start|>system\nYou are terse.<|im_end|>\n"
                        + "<|im_start|>user\nHi 你好<|im_end|>\n"
                        + "<|im_start|>assistant\nHello.<|im_end|>\n"
                        + "<|im_start|>user\n  What is 2+2?\n<|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void deepseek() {
        assertThat(ChatTemplate.DEEPSEEK.prompt(CHAT, false)).isEqualTo(
                "You are terse."
                        + "<｜User｜>Hi 你好"
                        + "<｜Assistant｜>Hello.<｜end▁of▁sentence｜>"
                        + "<｜User｜>  What is 2+2?\n"
                        + "<｜Assistant｜>");
    }

    @Test
    void deepseekGathersSystemMessagesFirstAndDropsEarlierReasoning() {
        List<ChatMessage> chat = List.of(ChatMessage.system("Rule one."), ChatMessage.user("Q1"),
                ChatMessage.assistant("<think>\nlet me see\n</think>\n\nA1"), ChatMessage.system("Rule two."), ChatMessage.user("Q2"));
        assertThat(ChatTemplate.DEEPSEEK.prompt(chat, true)).isEqualTo(
                "<｜begin▁of▁sentence｜>Rule one.\n\nRule two.<｜User｜>Q1<｜Assistant｜>\n\nA1<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜>");
    }

    @Test
    void llama3TrimsEachMessage() {
        assertThat(ChatTemplate.LLAMA3.prompt(CHAT, false)).isEqualTo(
                "<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nHi 你好<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                        + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                        + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(ChatTemplate.LLAMA3.prompt(List.of(ChatMessage.user("x")), true))
                .isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nx<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void rawJoinsContentsByLine() {
        assertThat(ChatTemplate.RAW.prompt(CHAT, true)).isEqualTo("You are terse.\nHi 你好\nHello.\n  What is 2+2?\n");
    }

    @Test
    void chatmlHasNoBeginningToken() {
        assertThat(ChatTemplate.CHATML.prompt(List.of(ChatMessage.user("x")), true)).isEqualTo("<|im_start|>user\nx<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void templatesAreNamedInConfigurationCaseInsensitively() {
        assertThat(ChatTemplate.named("ChatML")).isEqualTo(ChatTemplate.CHATML);
        assertThat(ChatTemplate.named("llama3")).isEqualTo(ChatTemplate.LLAMA3);
        assertThatThrownBy(() -> ChatTemplate.named("mistral")).hasMessageContaining("mistral");
    }

    @Test
    void aPartialAnswerMarkedAsPrefixIsLeftOpenForTheModelToContinue() {
        List<ChatMessage> chat = List.of(ChatMessage.user("Count to five"),
                ChatMessage.builder(ai.meridian.domain.chat.Role.ASSISTANT).content("1, 2, 3").extra(java.util.Map.of("prefix", "true")).build());
        assertThat(ChatTemplate.CHATML.prompt(chat, false)).isEqualTo(
                "<|im_start|>user\nCount to five<|im_end|>\n<|im_start|>assistant\n1, 2, 3");
        assertThat(ChatTemplate.LLAMA3.prompt(chat, false)).isEqualTo(
                "<|start_header_id|>user<|end_header_id|>\n\nCount to five<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n1, 2, 3");
        assertThat(ChatTemplate.DEEPSEEK.prompt(chat, false)).isEqualTo("<｜User｜>Count to five<｜Assistant｜>1, 2, 3");
        assertThat(ChatTemplate.RAW.prompt(chat, false)).isEqualTo("Count to five\n1, 2, 3");
        List<ChatMessage> closed = List.of(ChatMessage.user("Count to five"), ChatMessage.assistant("1, 2, 3"));
        assertThat(ChatTemplate.CHATML.prompt(closed, false)).as("without the mark the turn is closed as before").endsWith("<|im_end|>\n<|im_start|>assistant\n");
    }
}
