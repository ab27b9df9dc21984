package ai.meridian.domain.chat;

/** A piece of streamed output: answer text and, for reasoning models, reasoning text. */
public record Delta(String content, String reasoningContent) {

    public Delta {
        content = content == null ? "" : content;
        reasoningContent = reasoningContent == null ? "" : reasoningContent;
    }

    public static Delta of(String content) {
        return new Delta(content, "");
    }

    public boolean isEmpty() {
        return content.isEmpty() && reasoningContent.isEmpty();
    }
}
