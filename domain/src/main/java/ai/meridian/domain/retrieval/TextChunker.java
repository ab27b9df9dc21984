package ai.meridian.domain.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts a document into chunks of whole sentences, each within the policy's token bound, consecutive chunks
 * overlapping by whole sentences. A sentence longer than the bound on its own is cut at word boundaries
 * (or between characters for Chinese). Tokens are counted by the function given, so chunks fit the model
 * that will read them.
 */
public final class TextChunker {
    private final ChunkingPolicy policy;
    private final ToIntFunction<String> tokens;

    public TextChunker(ChunkingPolicy policy, ToIntFunction<String> tokenCounter) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        this.tokens = java.util.Objects.requireNonNull(tokenCounter, "tokenCounter");
    }

    public List<TextChunk> chunk(String text) {
        List<Piece> pieces = pieces(text);
        List<TextChunk> chunks = new ArrayList<>();
        int i = 0;
        while (i < pieces.size()) {
            int used = 0;
            int j = i;
            while (j < pieces.size() && (j == i || used + pieces.get(j).tokens <= policy.maxTokens())) {
                used += pieces.get(j).tokens;
                j++;
            }
            // The token count of the joined text can differ from the sum of its pieces (BPE merges across
            // the seam); drop trailing sentences until the real count fits.
            while (j - i > 1 && tokens.applyAsInt(text.substring(pieces.get(i).start, pieces.get(j - 1).end).strip()) > policy.maxTokens()) {
                j--;
            }
            int start = pieces.get(i).start;
            int end = pieces.get(j - 1).end;
            String chunkText = text.substring(start, end).strip();
            if (!chunkText.isEmpty()) {
                chunks.add(new TextChunk(chunks.size(), chunkText, start, end, tokens.applyAsInt(chunkText)));
            }
            if (j >= pieces.size()) {
                break;
            }
            i = overlapStart(pieces, i, j);
        }
        return chunks;
    }

    /** Where the next chunk starts: as many whole sentences back from {@code end} as fit the overlap, but always past {@code start}. */
    private int overlapStart(List<Piece> pieces, int start, int end) {
        int next = end;
        int overlap = 0;
        while (next - 1 > start && overlap + pieces.get(next - 1).tokens <= policy.overlapTokens()) {
            overlap += pieces.get(next - 1).tokens;
            next--;
        }
        return next;
    }

    /** Sentences, with any sentence over the bound cut further. Blank sentences are dropped. */
    private List<Piece> pieces(String text) {
        List<Piece> pieces = new ArrayList<>();
        for (Sentences.Span span : Sentences.split(text)) {
            String sentence = text.substring(span.start(), span.end());
            if (sentence.isBlank()) {
                continue;
            }
            int count = tokens.applyAsInt(sentence);
            if (count <= policy.maxTokens()) {
                pieces.add(new Piece(span.start(), span.end(), count));
            } else {
                cutLongSentence(text, span.start(), span.end(), pieces);
            }
        }
        return pieces;
    }

    private void cutLongSentence(String text, int start, int end, List<Piece> pieces) {
        int from = start;
        while (from < end) {
            int lo = from + 1;
            int hi = end;
            // The longest prefix within the bound, found by bisection on its length.
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (tokens.applyAsInt(text.substring(from, mid)) <= policy.maxTokens()) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            int cut = lo < end ? wordBoundaryBefore(text, from, lo) : end;
            if (Character.isHighSurrogate(text.charAt(cut - 1)) && cut < end) {
                cut++;
            }
            String piece = text.substring(from, cut);
            if (!piece.isBlank()) {
                pieces.add(new Piece(from, cut, tokens.applyAsInt(piece)));
            }
            from = cut;
        }
    }

    /** The last space at or before {@code limit} (after {@code from}), or a CJK character boundary, or the limit itself. */
    private static int wordBoundaryBefore(String text, int from, int limit) {
        for (int k = limit; k > from + (limit - from) / 2; k--) {
            char c = text.charAt(k - 1);
            if (Character.isWhitespace(c) || Language.isCjk(c)) {
                return k;
            }
        }
        return limit;
    }

    private record Piece(int start, int end, int tokens) {
    }
}
