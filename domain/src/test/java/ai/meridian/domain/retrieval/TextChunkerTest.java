package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

    private static String englishSentences(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "Sentence number " + i + " talks about topic " + i + ".")
                .collect(Collectors.joining(" "));
    }

    @Test
    void chunksStayWithinTheBoundAndEndAtSentenceBoundaries() {
        String text = englishSentences(40); // 7 tokens each
        List<TextChunk> chunks = new TextChunker(new ChunkingPolicy(30, 0), WordCount.TOKENS).chunk(text);
        assertThat(chunks).hasSizeGreaterThan(5);
        for (TextChunk chunk : chunks) {
            assertThat(chunk.tokens()).isLessThanOrEqualTo(30);
            assertThat(chunk.text()).startsWith("Sentence number").endsWith(".");
            assertThat(text.substring(chunk.start(), chunk.end()).strip()).isEqualTo(chunk.text());
        }
        assertThat(chunks).extracting(TextChunk::position).containsExactly(IntStream.range(0, chunks.size()).boxed().toArray(Integer[]::new));
    }

    @Test
    void consecutiveChunksOverlapByWholeSentencesAndCoverEverything() {
        String text = englishSentences(30);
        List<TextChunk> chunks = new TextChunker(new ChunkingPolicy(30, 10), WordCount.TOKENS).chunk(text);
        for (int i = 1; i < chunks.size(); i++) {
            String previous = chunks.get(i - 1).text();
            String firstSentence = chunks.get(i).text().substring(0, chunks.get(i).text().indexOf('.') + 1);
            assertThat(previous).as("chunk %d starts with the last sentence of chunk %d", i, i - 1).endsWith(firstSentence);
        }
        for (int s = 1; s <= 30; s++) {
            String sentence = "Sentence number " + s + " talks about topic " + s + ".";
            assertThat(chunks).as("sentence %d is in some chunk", s).anySatisfy(c -> assertThat(c.text()).contains(sentence));
        }
    }

    @Test
    void chineseTextIsCutAtChineseSentenceEnds() {
        String text = "知识库检索把文档切成小块。每一块都应该是完整的句子！这样引用时才不会断章取义？"
                + "重叠部分保证跨块的事实仍然完整；最后一句没有标点";
        List<TextChunk> chunks = new TextChunker(new ChunkingPolicy(16, 0), WordCount.TOKENS).chunk(text);
        assertThat(chunks).extracting(TextChunk::text).containsExactly(
                "知识库检索把文档切成小块。", "每一块都应该是完整的句子！", "这样引用时才不会断章取义？", "重叠部分保证跨块的事实仍然完整；", "最后一句没有标点");
        List<TextChunk> packed = new TextChunker(new ChunkingPolicy(30, 0), WordCount.TOKENS).chunk(text);
        assertThat(packed.get(0).text()).isEqualTo("知识库检索把文档切成小块。每一块都应该是完整的句子！");
        assertThat(packed).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(30));
    }

    @Test
    void aSentenceLongerThanTheBoundIsCutAtWordsOrCharacters() {
        String longEnglish = IntStream.range(0, 100).mapToObj(i -> "word" + i).collect(Collectors.joining(" ")) + ".";
        List<TextChunk> english = new TextChunker(new ChunkingPolicy(16, 0), WordCount.TOKENS).chunk(longEnglish);
        assertThat(english).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(16));
        assertThat(english).allSatisfy(c -> assertThat(c.text()).matches("(word\\d+ ?)+\\.?"));
        assertThat(english.stream().mapToInt(TextChunk::tokens).sum()).isEqualTo(100);

        String longChinese = "长".repeat(50) + "。";
        List<TextChunk> chinese = new TextChunker(new ChunkingPolicy(16, 0), WordCount.TOKENS).chunk(longChinese);
        assertThat(chinese).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(16));
        assertThat(chinese.stream().map(TextChunk::text).collect(Collectors.joining())).isEqualTo(longChinese);
    }

    @Test
    void blankTextHasNoChunksAndPoliciesAreChecked() {
        assertThat(new TextChunker(ChunkingPolicy.DEFAULT, WordCount.TOKENS).chunk(" \n\n ")).isEmpty();
        assertThatThrownBy(() -> new ChunkingPolicy(8, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChunkingPolicy(100, 50)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Lower-case prose the sentence splitter sees as one sentence ("a. b. c." never ends one). */
    private static String oneSentence(int chars) {
        StringBuilder text = new StringBuilder(chars + 32);
        String[] words = {"alpha", "beta.", "gamma", "delta,", "epsilon", "zeta", "eta.", "theta", "iota", "kappa"};
        for (int i = 0; text.length() < chars; i++) {
            text.append(words[i % words.length]).append(i % 7).append(' ');
        }
        return text.toString();
    }

    /** A counter that also adds up how many characters it was given: the chunker's work, deterministically. */
    private static final class MeteredCount implements ToIntFunction<String> {
        final AtomicLong chars = new AtomicLong();
        final ToIntFunction<String> inner;

        MeteredCount(ToIntFunction<String> inner) {
            this.inner = inner;
        }

        @Override
        public int applyAsInt(String text) {
            chars.addAndGet(text.length());
            return inner.applyAsInt(text);
        }
    }

    @Test
    void textWithoutSentenceEndsIsCutAtWordsAndStillOverlaps() {
        String text = IntStream.range(0, 400).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
        List<TextChunk> chunks = new TextChunker(new ChunkingPolicy(30, 10), WordCount.TOKENS).chunk(text);
        assertThat(chunks).hasSizeGreaterThan(10);
        for (int i = 1; i < chunks.size(); i++) {
            List<String> previous = List.of(chunks.get(i - 1).text().split(" "));
            List<String> current = List.of(chunks.get(i).text().split(" "));
            int shared = 0;
            while (shared < current.size() && previous.contains(current.get(shared))) {
                shared++;
            }
            assertThat(shared).as("chunk %d repeats the last words of chunk %d", i, i - 1).isBetween(5, 10);
            assertThat(previous.subList(previous.size() - shared, previous.size())).isEqualTo(current.subList(0, shared));
        }
        assertThat(chunks).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(30));
        for (int w = 0; w < 400; w++) {
            String word = "w" + w;
            assertThat(chunks).as("word %s is in some chunk", word).anySatisfy(c -> assertThat(c.text().split(" ")).contains(word));
        }
    }

    @Test
    void sentencesLongerThanTheOverlapOverlapByTheirLastWords() {
        String text = IntStream.rangeClosed(1, 40).mapToObj(i -> "Sentence " + i + " has rather more words than the overlap can hold at once.")
                .collect(Collectors.joining(" ")); // 12 tokens each, overlap 8
        List<TextChunk> chunks = new TextChunker(new ChunkingPolicy(40, 8), WordCount.TOKENS).chunk(text);
        for (int i = 1; i < chunks.size(); i++) {
            String current = chunks.get(i).text();
            assertThat(current).as("chunk %d starts inside the last sentence of chunk %d", i, i - 1).doesNotStartWith("Sentence");
            String overlap = current.substring(0, current.indexOf('.') + 1);
            assertThat(chunks.get(i - 1).text()).endsWith(overlap);
            assertThat(WordCount.TOKENS.applyAsInt(overlap)).isBetween(1, 8);
            assertThat(chunks.get(i).tokens()).isLessThanOrEqualTo(40);
        }
    }

    @Test
    void everyChunksCountIsTheRealCountOfItsTextWithinTheBoundEvenWithSpecialTokens() {
        // A counter like a BERT tokenizer's: two special tokens around every text.
        ToIntFunction<String> withSpecials = t -> WordCount.TOKENS.applyAsInt(t) + 2;
        String text = englishSentences(50) + " " + oneSentence(20_000) + " " + "长句没有标点".repeat(200);
        List<TextChunk> chunks = new TextChunker(new ChunkingPolicy(64, 16), withSpecials).chunk(text);
        for (TextChunk chunk : chunks) {
            assertThat(chunk.tokens()).isEqualTo(withSpecials.applyAsInt(chunk.text())).isLessThanOrEqualTo(64);
        }
        // Packing by the sum of pieces must not waste the room the specials would take once per piece.
        double mean = chunks.stream().mapToInt(TextChunk::tokens).average().orElseThrow();
        assertThat(mean).isGreaterThan(64 * 0.8);
    }

    @Test
    void aTokenizerThatMakesOneTokenOfAHugeRunStillGetsBoundedChunks() {
        // BERT's WordPiece turns a "word" over 100 characters into one [UNK]: a megabyte would be one chunk.
        ToIntFunction<String> unknownRuns = t -> t.isBlank() ? 0 : t.strip().split("\\s+").length;
        String text = "x".repeat(1_000_000);
        TextChunker chunker = new TextChunker(new ChunkingPolicy(100, 0), unknownRuns);
        List<TextChunk> chunks = chunker.chunk(text);
        assertThat(chunks).allSatisfy(c -> assertThat(c.text().length()).isLessThanOrEqualTo(chunker.maxChars()));
        assertThat(chunks.stream().mapToInt(c -> c.text().length()).sum()).isEqualTo(text.length());
    }

    @Test
    void workIsLinearInTheDocumentsLength() {
        for (String shape : List.of("prose", "minified", "chinese")) {
            long[] work = new long[2];
            int[] sizes = {1 << 20, 4 << 20};
            for (int s = 0; s < 2; s++) {
                String text = switch (shape) {
                    case "prose" -> oneSentence(sizes[s]);
                    case "minified" -> "{\"k\":[1,2,3],\"v\":\"abc\"},".repeat(sizes[s] / 26);
                    default -> "知识库检索把文档切成小块每一块都应该是完整的句子".repeat(sizes[s] / 24);
                };
                MeteredCount counter = new MeteredCount(WordCount.TOKENS);
                new TextChunker(new ChunkingPolicy(256, 32), counter).chunk(text);
                work[s] = counter.chars.get();
                assertThat((double) work[s] / text.length()).as("%s: characters counted per character of the document", shape)
                        .isLessThan(6.0);
            }
            assertThat((double) work[1] / work[0]).as("%s: work for 4 MB over work for 1 MB", shape).isLessThan(4.5);
        }
    }

    private static volatile int sink;

    /**
     * Counts like {@link WordCount}, without allocating and with a real tokenizer's kind of work per character
     * (mixing each into a vocabulary hash): the timing below then measures the chunker and its counting, as in
     * production, rather than the collector.
     */
    private static int tokenizerLike(String text) {
        int count = 0;
        int hash = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            hash = (hash ^ c) * 0x9E3779B1;
            hash ^= hash >>> 15;
            hash *= 0x85EBCA6B;
            hash ^= hash >>> 13;
            if (Language.isCjk(c)) {
                count++;
                inWord = false;
            } else if (Character.isLetterOrDigit(c)) {
                if (!inWord) {
                    count++;
                }
                inWord = true;
            } else {
                inWord = false;
            }
        }
        sink = hash;
        return count;
    }

    @Test
    void timeIsLinearInTheDocumentsLength() {
        TextChunker chunker = new TextChunker(new ChunkingPolicy(256, 32), TextChunkerTest::tokenizerLike);
        String small = oneSentence(1 << 20);
        String large = oneSentence(4 << 20);
        for (int warmUp = 0; warmUp < 3; warmUp++) { // compiled code for both measurements
            chunker.chunk(small);
            chunker.chunk(large);
        }
        // The chunking thread's own CPU time, the best of seven of each: other processes on a busy build host
        // and the collector's threads do not count, so the ratio is the chunker's and not the machine's.
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long smallNanos = Long.MAX_VALUE;
        long largeNanos = Long.MAX_VALUE;
        for (int run = 0; run < 7; run++) {
            long t0 = cpu.getCurrentThreadCpuTime();
            chunker.chunk(small);
            long t1 = cpu.getCurrentThreadCpuTime();
            chunker.chunk(large);
            long t2 = cpu.getCurrentThreadCpuTime();
            System.out.printf("chunking 1 MB: %.1f ms, 4 MB: %.1f ms (CPU)%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
            smallNanos = Math.min(smallNanos, t1 - t0);
            largeNanos = Math.min(largeNanos, t2 - t1);
        }
        assertThat((double) largeNanos / smallNanos).as("time for 4 MB over time for 1 MB").isLessThanOrEqualTo(5.0);
    }

    @Test
    void aTenMegabyteSingleSentenceChunksInSeconds() {
        String text = oneSentence(10 << 20);
        long start = System.nanoTime();
        List<TextChunk> chunks = new TextChunker(ChunkingPolicy.DEFAULT, WordCount.TOKENS).chunk(text);
        double seconds = (System.nanoTime() - start) / 1e9;
        // Generous for a shared machine; the quadratic cutter this replaces needed 42 s for 160 KB.
        assertThat(seconds).isLessThan(30.0);
        assertThat(chunks).hasSizeGreaterThan(5_000).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(300));
    }
}
