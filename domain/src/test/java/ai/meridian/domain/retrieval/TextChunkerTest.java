package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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
}
