package ai.meridian.domain.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Keeps the best passages that fit a prompt's token budget. Passages are taken in rank order; each costs its
 * title and text plus a fixed framing overhead. The first passage that does not fit is cut at a sentence
 * boundary to the room left (when that room is worth using) and selection stops there, so a lower-ranked
 * short passage never displaces a better one.
 */
public final class ContextBudget {
    /** What numbering and delimiting one source costs in the prompt, roughly. */
    static final int FRAMING_TOKENS = 16;
    /** Below this, a cut passage says too little to be worth citing. */
    static final int MIN_USEFUL_TOKENS = 48;

    private final int maxTokens;
    private final int maxPassages;
    private final ToIntFunction<String> tokens;

    public ContextBudget(int maxTokens, int maxPassages, ToIntFunction<String> tokenCounter) {
        if (maxTokens < MIN_USEFUL_TOKENS + FRAMING_TOKENS) {
            throw new IllegalArgumentException("a context budget needs at least " + (MIN_USEFUL_TOKENS + FRAMING_TOKENS) + " tokens");
        }
        if (maxPassages < 1) {
            throw new IllegalArgumentException("a context budget needs room for at least one passage");
        }
        this.maxTokens = maxTokens;
        this.maxPassages = maxPassages;
        this.tokens = java.util.Objects.requireNonNull(tokenCounter, "tokenCounter");
    }

    public List<Passage> select(List<Passage> ranked) {
        List<Passage> selected = new ArrayList<>();
        int left = maxTokens;
        for (Passage passage : ranked) {
            if (selected.size() == maxPassages) {
                break;
            }
            int cost = FRAMING_TOKENS + tokens.applyAsInt(passage.title()) + tokens.applyAsInt(passage.text());
            if (cost <= left) {
                selected.add(passage);
                left -= cost;
                continue;
            }
            int room = left - FRAMING_TOKENS - tokens.applyAsInt(passage.title());
            if (room >= MIN_USEFUL_TOKENS) {
                String cut = cutToTokens(passage.text(), room);
                if (!cut.isBlank()) {
                    selected.add(passage.withText(cut));
                }
            }
            break;
        }
        return selected;
    }

    /** The longest run of whole sentences from the start within the room, or a word-bounded cut of the first sentence. */
    private String cutToTokens(String text, int room) {
        int end = 0;
        for (Sentences.Span span : Sentences.split(text)) {
            if (tokens.applyAsInt(text.substring(0, span.end())) > room) {
                break;
            }
            end = span.end();
        }
        if (end > 0) {
            return text.substring(0, end).strip();
        }
        List<TextChunk> pieces = new TextChunker(new ChunkingPolicy(Math.max(16, room), 0), tokens).chunk(text);
        return pieces.isEmpty() ? "" : pieces.get(0).text();
    }
}
