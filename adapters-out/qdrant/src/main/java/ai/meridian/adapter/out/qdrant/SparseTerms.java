package ai.meridian.adapter.out.qdrant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.cjk.CJKWidthFilter;
import org.apache.lucene.analysis.cn.smart.HMMChineseTokenizer;
import org.apache.lucene.analysis.cn.smart.SmartChineseAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * Keyword search in Qdrant as sparse vectors, BM25 split between client and server. The client analyses text
 * as the Lucene index does (smartcn segmentation for Chinese, lower-casing, English stop words, Porter
 * stemming), hashes each term to a 32-bit sparse index, and weighs a document's terms by BM25's saturated term
 * frequency {@code tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen))}; queries weigh each term by its count. The
 * collection's sparse vector uses Qdrant's IDF modifier, so the server multiplies in each term's inverse
 * document frequency over the collection at query time. The dot product is then BM25, except that the average
 * document length is a constant (as in Qdrant's own BM25 sparse models), since the client cannot know it.
 */
final class SparseTerms {
    static final double K1 = 1.2;
    static final double B = 0.75;
    /** Chunks are cut to about 256 model tokens; after stop-word removal about this many terms remain. */
    static final double AVERAGE_TERMS = 150;
    static final int MAX_QUERY_TERMS = 64;

    private static final CharArraySet STOP_WORDS;

    static {
        CharArraySet stops = new CharArraySet(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, false);
        stops.addAll(SmartChineseAnalyzer.getDefaultStopSet());
        STOP_WORDS = CharArraySet.unmodifiableSet(stops);
    }

    private final Analyzer analyzer = new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            HMMChineseTokenizer tokenizer = new HMMChineseTokenizer();
            TokenStream stream = new PorterStemFilter(new StopFilter(new EnglishPossessiveFilter(
                    new LowerCaseFilter(new CJKWidthFilter(tokenizer))), STOP_WORDS));
            return new TokenStreamComponents(tokenizer, stream);
        }
    };

    /** A sparse vector: indices ascending, one weight each. */
    record Sparse(int[] indices, float[] values) {
        boolean isEmpty() {
            return indices.length == 0;
        }
    }

    Sparse document(String text) {
        Map<String, Integer> counts = terms(text, Integer.MAX_VALUE);
        int length = counts.values().stream().mapToInt(Integer::intValue).sum();
        double norm = K1 * (1 - B + B * length / AVERAGE_TERMS);
        TreeMap<Integer, Float> weights = new TreeMap<>(Integer::compareUnsigned);
        counts.forEach((term, tf) -> weights.merge(index(term), (float) (tf * (K1 + 1) / (tf + norm)), Float::sum));
        return sparse(weights);
    }

    Sparse query(String text) {
        TreeMap<Integer, Float> weights = new TreeMap<>(Integer::compareUnsigned);
        terms(text, MAX_QUERY_TERMS).forEach((term, count) -> weights.merge(index(term), (float) count, Float::sum));
        return sparse(weights);
    }

    private static Sparse sparse(TreeMap<Integer, Float> weights) {
        int[] indices = new int[weights.size()];
        float[] values = new float[weights.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : weights.entrySet()) {
            indices[i] = e.getKey();
            values[i++] = e.getValue();
        }
        return new Sparse(indices, values);
    }

    private Map<String, Integer> terms(String text, int maxDistinct) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        try (TokenStream stream = analyzer.tokenStream("text", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                String t = term.toString();
                if (counts.size() < maxDistinct || counts.containsKey(t)) {
                    counts.merge(t, 1, Integer::sum);
                }
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    /** MurmurHash3 (x86, 32-bit) of the term's UTF-8 bytes: stable across JVMs and releases, unlike String.hashCode. */
    static int index(String term) {
        byte[] data = term.getBytes(StandardCharsets.UTF_8);
        int h = 0x9747b28c;
        int i = 0;
        for (; i + 4 <= data.length; i += 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            h ^= mix(k);
            h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
        }
        int k = 0;
        switch (data.length & 3) {
            case 3:
                k ^= (data[i + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[i + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[i] & 0xff;
                h ^= mix(k);
                break;
            default:
                break;
        }
        h ^= data.length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mix(int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        return k * 0x1b873593;
    }
}
