package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeduplicationTest {

    static Passage web(String id, String url, String text) {
        return new Passage(id, PassageKind.WEB, "quark", "", url, text, "", 0);
    }

    static Passage chunk(String id, String url, String text) {
        return new Passage(id, PassageKind.KNOWLEDGE_BASE, "docs", "", url, text, "", 0);
    }

    @Test
    void webPagesWithTheSameUrlAreKeptOnceTheBetterRankedFirst() {
        List<Passage> kept = new Deduplication().apply(List.of(
                web("1", "https://Example.com:443/news/a/#top", "Rates rise in March as expected by markets."),
                web("2", "https://example.com/news/a", "A different extraction of the same page."),
                web("3", "https://example.com/news/b", "Another article entirely about something else.")));
        assertThat(kept).extracting(Passage::id).containsExactly("1", "3");
    }

    @Test
    void chunksOfOneDocumentShareItsUrlButAreAllKept() {
        List<Passage> kept = new Deduplication().apply(List.of(
                chunk("d1#0", "https://wiki/doc", "The first part of the handbook covers onboarding."),
                chunk("d1#1", "https://wiki/doc", "The second part explains the expense policy in detail.")));
        assertThat(kept).hasSize(2);
    }

    @Test
    void nearDuplicateTextIsDroppedWhateverItsPunctuationOrCase() {
        String article = "The central bank raised its key interest rate by a quarter point on Wednesday, citing persistent inflation "
                + "in services and a tight labour market, and signalled that further increases were possible this year.";
        List<Passage> kept = new Deduplication().apply(List.of(
                web("a", "https://one.example/x", article),
                web("b", "https://two.example/y", article.toUpperCase().replace(",", " ;")),
                web("c", "https://three.example/z", "Stocks fell sharply after the announcement, with banks leading the decline.")));
        assertThat(kept).extracting(Passage::id).containsExactly("a", "c");
    }

    @Test
    void chineseNearDuplicatesAreFoundByCharacterShingles() {
        String original = "国家统计局今天发布数据显示，十月份全国居民消费价格同比上涨百分之零点二，环比下降百分之零点一，食品价格有所回落。";
        String reposted = "国家统计局今天发布数据显示：十月份全国居民消费价格同比上涨百分之零点二，环比下降百分之零点一，食品价格有所回落！";
        String different = "今年秋季粮食收购工作已经全面展开，各地粮库加快入库进度，农民售粮情况总体平稳。";
        List<Passage> kept = new Deduplication().apply(List.of(chunk("1", "", original), chunk("2", "", reposted), chunk("3", "", different)));
        assertThat(kept).extracting(Passage::id).containsExactly("1", "3");
    }

    @Test
    void anExcerptOfAPassageAlreadyKeptIsADuplicate() {
        String page = "Meridian routes each request to a model backend. It can answer grounded in live web search and the team's "
                + "own knowledge base. Sources are fused into one ranked context and cited in the answer. It keeps conversations.";
        String snippet = "It can answer grounded in live web search and the team's own knowledge base.";
        List<Passage> kept = new Deduplication().apply(List.of(web("page", "https://a/1", page), web("snippet", "https://b/2", snippet)));
        assertThat(kept).extracting(Passage::id).containsExactly("page");
        assertThat(Shingles.of(page).jaccard(Shingles.of(snippet))).isLessThan(Deduplication.DEFAULT_THRESHOLD);
    }

    @Test
    void urlsNormaliseSchemeHostPortFragmentAndTrailingSlashOnly() {
        assertThat(Deduplication.normalizeUrl("HTTP://Example.COM:80/a/b/?q=1#frag")).isEqualTo("http://example.com/a/b?q=1");
        assertThat(Deduplication.normalizeUrl("https://example.com")).isEqualTo("https://example.com/");
        assertThat(Deduplication.normalizeUrl("https://example.com/A")).isNotEqualTo(Deduplication.normalizeUrl("https://example.com/a"));
        assertThat(Deduplication.normalizeUrl("not a url")).isEqualTo("not a url");
    }
}
