package ai.meridian.adapter.out.lucene;

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

/**
 * One analyzer for Chinese, English and the mix of both that real documents are: smartcn's HMM segmenter
 * splits Chinese into words (and keeps Latin words and numbers whole), full-width forms fold to ASCII, Latin
 * words are lower-cased, possessives dropped, English stop words and punctuation removed, and Porter stemming
 * applied (which leaves Chinese untouched). One field then serves queries in either language without knowing
 * a document's language in advance.
 */
public final class MixedLanguageAnalyzer extends Analyzer {
    static final CharArraySet STOP_WORDS;

    static {
        CharArraySet stops = new CharArraySet(EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, false);
        stops.addAll(SmartChineseAnalyzer.getDefaultStopSet());
        STOP_WORDS = CharArraySet.unmodifiableSet(stops);
    }

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        HMMChineseTokenizer tokenizer = new HMMChineseTokenizer();
        TokenStream stream = new CJKWidthFilter(tokenizer);
        stream = new LowerCaseFilter(stream);
        stream = new EnglishPossessiveFilter(stream);
        stream = new StopFilter(stream, STOP_WORDS);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(tokenizer, stream);
    }

    @Override
    protected TokenStream normalize(String fieldName, TokenStream in) {
        return new LowerCaseFilter(new CJKWidthFilter(in));
    }
}
