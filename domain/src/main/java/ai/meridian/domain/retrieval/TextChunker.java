package ai.meridian.domain.retrieval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Cuts a document into chunks of whole sentences, each within the policy's token bound. Each chunk after the
 * first starts with up to the policy's overlap of the previous chunk's end: whole sentences when they fit,
 * otherwise the last words of its last sentence, so text without sentence ends overlaps too. A sentence longer
 * than the bound is cut at word boundaries (or between characters for Chinese). Tokens are counted by the
 * function given, so chunks fit the model that will read them; every chunk's count is the counter's count of
 * exactly its text, never an estimate, and never over the bound.
 *
 * <p>The work is linear in the document's length. The counter only ever sees bounded windows of text (at
 * most {@link #maxChars()} characters, a small number of times per chunk), never the remainder of a long
 * sentence: each sentence is counted once, a long sentence is cut chunk by chunk by proportional estimates
 * (token counts grow about linearly with characters), and each chunk is counted once more as a whole.
 * Sums of sentence counts only steer the packing, because tokenizers can merge or split across a seam.
 */
public final class TextChunker {
    /**
     * No chunk is longer than this many characters per token of its bound. Real text averages 1-6 characters
     * per token; the bound stops a tokenizer that maps a huge unbroken run to one unknown token from making
     * one chunk of a whole document, and it bounds what the counter is ever given.
     */
    static final int MAX_CHARS_PER_TOKEN = 32;
    /** A cut within this share of the bound is taken without searching for a longer one. */
    private static final double GOOD_ENOUGH = 0.9;
    /** Estimate-and-correct rounds before the bracket they found is bisected. */
    private static final int MAX_ROUNDS = 6;
    /** Characters per token assumed before any text was counted. */
    private static final double FIRST_RATIO = 4.0;
    private static final int LONG = -1;

    private final ChunkingPolicy policy;
    private final ToIntFunction<String> tokens;
    /** What the counter adds to any text (special tokens such as [CLS] and [SEP]); counted once. */
    private final int overhead;

    public TextChunker(ChunkingPolicy policy, ToIntFunction<String> tokenCounter) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
        this.tokens = java.util.Objects.requireNonNull(tokenCounter, "tokenCounter");
        this.overhead = Math.max(0, tokenCounter.applyAsInt(""));
        if (overhead >= policy.maxTokens() / 4) {
            throw new IllegalArgumentException("the token counter adds " + overhead + " tokens to every text; chunks of "
                    + policy.maxTokens() + " tokens leave too little room");
        }
    }

    /** The most characters one chunk may have. */
    int maxChars() {
        return policy.maxTokens() * MAX_CHARS_PER_TOKEN;
    }

    public List<TextChunk> chunk(String text) {
        List<Piece> pieces = pieces(text);
        List<TextChunk> chunks = new ArrayList<>();
        int p = 0;
        int pos = pieces.isEmpty() ? 0 : pieces.get(0).start;
        Overlap overlap = Overlap.NONE;
        double ratio = FIRST_RATIO;
        while (p < pieces.size()) {
            Chunk chunk = pieces.get(p).tokens == LONG
                    ? withinLongSentence(text, pieces, p, pos, overlap, ratio)
                    : fromSentence(text, pieces, p, overlap);
            chunks.add(new TextChunk(chunks.size(), chunk.text, chunk.start, chunk.end, chunk.tokens));
            if (chunk.tokens > overhead) {
                ratio = (double) (chunk.end - chunk.start) / (chunk.tokens - overhead);
            }
            p = chunk.nextPiece;
            pos = chunk.nextPos;
            overlap = p < pieces.size() ? overlapAfter(text, pieces, chunk, ratio) : Overlap.NONE;
        }
        return chunks;
    }

    /**
     * A chunk: its text {@code [start, end)} and real count; where the text not yet covered starts (piece
     * {@code nextPiece}, at {@code nextPos} inside it when it is a long sentence); the whole sentences it holds
     * ({@code [wholeFrom, wholeEnd)}); and where its last sentence, or its part of a long one, starts.
     */
    private record Chunk(int start, int end, int tokens, String text, int nextPiece, int nextPos, int wholeFrom, int wholeEnd,
                         int lastSegment) {
    }

    /** What the next chunk starts with, from {@code start}, and what that costs (an estimate when several sentences). */
    private record Overlap(int start, int tokens) {
        static final Overlap NONE = new Overlap(-1, 0);
    }

    /** A sentence {@code [start, end)} without surrounding white space, with its count, or {@link #LONG} when over the bound. */
    private record Piece(int start, int end, int tokens) {
    }

    /** A cut, and the real count of the text from the search's origin to it (white space at the cut left out). */
    private record Fit(int at, int textEdge, int tokens) {
    }

    /** The chunk that starts (after the overlap, when both fit) with the whole sentence {@code p}. */
    private Chunk fromSentence(String text, List<Piece> pieces, int p, Overlap overlap) {
        Piece first = pieces.get(p);
        boolean withOverlap = overlap != Overlap.NONE && overlap.start < first.start
                && first.tokens + overlap.tokens - overhead <= policy.maxTokens() && first.end - overlap.start <= maxChars();
        if (withOverlap) {
            return pack(text, pieces, overlap.start, first.end, first.tokens + overlap.tokens - overhead, false, p + 1, p, first.start, first);
        }
        return pack(text, pieces, first.start, first.end, first.tokens, true, p + 1, p, first.start, null);
    }

    /** The chunk that covers the long sentence {@code p} from {@code pos} on, as far as the bound allows. */
    private Chunk withinLongSentence(String text, List<Piece> pieces, int p, int pos, Overlap overlap, double ratio) {
        Piece sentence = pieces.get(p);
        int max = policy.maxTokens();
        boolean withOverlap = overlap != Overlap.NONE && overlap.start < pos && pos - overlap.start <= maxChars() / 2;
        while (true) {
            int start = withOverlap ? overlap.start : pos;
            int room = max - (withOverlap ? overlap.tokens : overhead);
            Fit fit = fitPrefix(text, start, sentence.end, max, (pos - start) + (int) Math.min(maxChars(), ratio * room * 0.97));
            if (fit.at <= pos && withOverlap) {
                withOverlap = false; // the overlap left no room for new text
                continue;
            }
            if (fit.at < sentence.end) {
                return new Chunk(start, fit.textEdge, fit.tokens, text.substring(start, fit.textEdge), p, skipWhitespace(text, fit.at, sentence.end),
                        p, p, pos);
            }
            // The rest of the sentence fits: whole sentences after it may join.
            return pack(text, pieces, start, sentence.end, fit.tokens, true, p + 1, p + 1, pos, null);
        }
    }

    /**
     * Packs whole sentences from {@code j} after a head {@code [start, headEnd)} costing {@code used} tokens
     * ({@code exact} when that is its real count), then counts the joined text and drops trailing sentences
     * until it fits. When even the head alone does not fit (an overlap that merged badly), {@code alone}, the
     * sentence without the overlap, is the chunk.
     */
    private Chunk pack(String text, List<Piece> pieces, int start, int headEnd, int used, boolean exact, int j, int wholeFrom,
                       int headSegment, Piece alone) {
        int max = policy.maxTokens();
        int k = j;
        while (k < pieces.size() && pieces.get(k).tokens != LONG && used + pieces.get(k).tokens - overhead <= max
                && pieces.get(k).end - start <= maxChars()) {
            used += pieces.get(k).tokens - overhead;
            k++;
        }
        while (true) {
            int end = k > j ? pieces.get(k - 1).end : headEnd;
            if (k == j && exact) {
                return chunkOf(text, pieces, start, end, used, k, wholeFrom, headSegment);
            }
            int real = tokens.applyAsInt(text.substring(start, end));
            if (real <= max) {
                return chunkOf(text, pieces, start, end, real, k, wholeFrom, k > j ? pieces.get(k - 1).start : headSegment);
            }
            if (k > j) {
                int excess = real - max;
                int dropped = 0;
                while (k > j && dropped < excess) {
                    k--;
                    dropped += pieces.get(k).tokens - overhead;
                }
            } else {
                // Only a head with an overlap is inexact; the sentence alone was counted within the bound.
                return chunkOf(text, pieces, alone.start, alone.end, alone.tokens, j, wholeFrom, alone.start);
            }
        }
    }

    private Chunk chunkOf(String text, List<Piece> pieces, int start, int end, int count, int nextPiece, int wholeFrom, int lastSegment) {
        int nextPos = nextPiece < pieces.size() ? pieces.get(nextPiece).start : text.length();
        return new Chunk(start, end, count, text.substring(start, end), nextPiece, nextPos, wholeFrom, nextPiece, lastSegment);
    }

    /** The chunk's last whole sentences within the overlap; else the last words of its last sentence (or of its part of one). */
    private Overlap overlapAfter(String text, List<Piece> pieces, Chunk chunk, double ratio) {
        int budget = policy.overlapTokens();
        if (budget == 0) {
            return Overlap.NONE;
        }
        int k = chunk.wholeEnd;
        int used = overhead;
        while (k - 1 >= chunk.wholeFrom && pieces.get(k - 1).start >= chunk.start && used + pieces.get(k - 1).tokens - overhead <= budget) {
            used += pieces.get(k - 1).tokens - overhead;
            k--;
        }
        if (k < chunk.wholeEnd) {
            return new Overlap(pieces.get(k).start, used);
        }
        Fit tail = fitSuffix(text, Math.max(chunk.lastSegment, chunk.start), chunk.end, budget,
                (int) Math.min(maxChars(), ratio * (budget - overhead) * 0.97));
        return tail == null ? Overlap.NONE : new Overlap(tail.at, tail.tokens);
    }

    /**
     * Sentences without surrounding white space, each counted once; blank ones dropped. A sentence over the
     * bound (or over {@link #maxChars()}, uncounted) is marked {@link #LONG} and cut as chunks are made.
     */
    private List<Piece> pieces(String text) {
        List<Piece> pieces = new ArrayList<>();
        for (Sentences.Span span : Sentences.split(text)) {
            int start = skipWhitespace(text, span.start(), span.end());
            if (start == span.end()) {
                continue;
            }
            int end = trimEnd(text, start, span.end());
            int count = end - start <= maxChars() ? tokens.applyAsInt(text.substring(start, end)) : LONG;
            pieces.add(new Piece(start, end, count <= policy.maxTokens() ? count : LONG));
        }
        return pieces;
    }

    /**
     * A cut {@code c} in {@code (from, end]} such that {@code text[from, c)} (white space at its end left out)
     * counts at most {@code budget} tokens, at a word boundary when there is one in reach, and close to the
     * budget. Estimates are proportional, starting from {@code firstGuess} characters; when a few do not
     * converge, the bracket they found is bisected. Every text counted is at most {@link #maxChars()} long, so
     * one cut costs a bounded multiple of the chunk it yields. {@code text[from]} is not white space.
     */
    private Fit fitPrefix(String text, int from, int end, int budget, int firstGuess) {
        int limit = Math.min(end, from + maxChars());
        Fit fits = null;      // the longest prefix known to fit
        int over = limit + 1; // the shortest prefix known not to fit
        int guess = from + Math.max(1, firstGuess);
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int low = fits == null ? from : fits.at;
            if (over - low <= 1) {
                break;
            }
            int cut = wordBoundaryBefore(text, low, Math.max(low + 1, Math.min(guess, Math.min(limit, over - 1))), end);
            if (cut <= low || cut >= over) {
                break;
            }
            Fit tried = prefix(text, from, cut);
            if (tried.tokens <= budget) {
                fits = tried;
                if (cut >= limit || tried.tokens >= budget * GOOD_ENOUGH) {
                    return fits;
                }
                guess = from + scale(cut - from, budget, tried.tokens);
            } else {
                over = cut;
                guess = from + scale(cut - from, budget, tried.tokens) * 95 / 100;
            }
        }
        int low = fits == null ? from : fits.at;
        while (over - low > 1) {
            int mid = avoidSplittingSurrogates(text, (low + over) >>> 1, end);
            if (mid >= over) {
                break;
            }
            Fit tried = prefix(text, from, mid);
            if (tried.tokens <= budget) {
                fits = tried;
                low = mid;
            } else {
                over = mid;
            }
        }
        if (fits == null) {
            // Not even one character fits: impossible for a real tokenizer and a bound of 16 tokens; make progress anyway.
            return prefix(text, from, avoidSplittingSurrogates(text, from + 1, end));
        }
        if (fits.at < end) {
            int word = wordBoundaryBefore(text, from, fits.at, end);
            if (word < fits.at && word > from) {
                Fit atWord = prefix(text, from, word);
                if (atWord.tokens <= budget) {
                    return atWord;
                }
            }
        }
        return fits;
    }

    private Fit prefix(String text, int from, int cut) {
        int edge = trimEnd(text, from, cut);
        return new Fit(cut, edge, tokens.applyAsInt(text.substring(from, edge)));
    }

    /**
     * A start {@code s} in {@code [from, end)}, at a word, such that {@code text[s, end)} counts at most
     * {@code budget} tokens, close to the budget when a few estimates allow; {@code null} when none is found.
     */
    private Fit fitSuffix(String text, int from, int end, int budget, int firstGuess) {
        int limit = Math.max(from, end - maxChars());
        Fit fits = null;      // the longest suffix known to fit starts here
        int over = limit - 1; // the shortest suffix known not to fit starts here
        int guess = end - Math.max(1, Math.min(end - limit, firstGuess));
        for (int round = 0; round < MAX_ROUNDS; round++) {
            int high = fits == null ? end : fits.at;
            if (high - over <= 1) {
                break;
            }
            int cut = skipWhitespace(text, wordBoundaryAfter(text, Math.max(over + 1, Math.max(limit, Math.min(guess, high - 1))), high), high);
            if (cut >= high || cut <= over) {
                break;
            }
            int count = tokens.applyAsInt(text.substring(cut, end));
            if (count <= budget) {
                fits = new Fit(cut, end, count);
                if (cut <= limit || count >= budget * GOOD_ENOUGH) {
                    return fits;
                }
                guess = end - scale(end - cut, budget, count);
            } else {
                over = cut;
                guess = end - scale(end - cut, budget, count) * 95 / 100;
            }
        }
        return fits;
    }

    /** {@code length} scaled by budget/count, counting only the tokens the text itself costs. */
    private int scale(int length, int budget, int count) {
        long wanted = (long) length * Math.max(1, budget - overhead) / Math.max(1, count - overhead);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2, wanted));
    }

    /** The last space at or before {@code limit} (in its second half after {@code from}), or a CJK character boundary, or the limit itself. */
    private static int wordBoundaryBefore(String text, int from, int limit, int end) {
        for (int k = limit; k > from + (limit - from) / 2; k--) {
            char c = text.charAt(k - 1);
            if (Character.isWhitespace(c) || Language.isCjk(c)) {
                return k;
            }
        }
        return avoidSplittingSurrogates(text, limit, end);
    }

    /** The first word start at or after {@code at} (within the first half before {@code limit}), or {@code at} itself. */
    private static int wordBoundaryAfter(String text, int at, int limit) {
        for (int k = at; k < limit - (limit - at) / 2; k++) {
            if (k > 0 && (Character.isWhitespace(text.charAt(k - 1)) || Language.isCjk(text.charAt(k)))) {
                return k;
            }
        }
        return avoidSplittingSurrogates(text, at, limit);
    }

    private static int avoidSplittingSurrogates(String text, int cut, int end) {
        return cut > 0 && cut < end && Character.isHighSurrogate(text.charAt(cut - 1)) ? cut + 1 : cut;
    }

    private static int skipWhitespace(String text, int from, int end) {
        while (from < end && Character.isWhitespace(text.charAt(from))) {
            from++;
        }
        return from;
    }

    /** {@code end} moved back over white space, but not to {@code start} or before. */
    private static int trimEnd(String text, int start, int end) {
        while (end - 1 > start && Character.isWhitespace(text.charAt(end - 1))) {
            end--;
        }
        return end;
    }
}
