package ai.meridian.adapter.out.webfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** URL checks, and the IPv4 spellings that resolvers read as addresses. */
class TargetUrlTest {

    @ParameterizedTest(name = "{0} is the address {1}")
    @CsvSource({
            "http://2130706433/, 127.0.0.1",
            "http://0x7f000001/, 127.0.0.1",
            "http://0x7f.1/, 127.0.0.1",
            "http://0177.0.0.1/, 127.0.0.1",
            "http://127.1/, 127.0.0.1",
            "http://127.0.1/, 127.0.0.1",
            "http://0/, 0.0.0.0",
            "http://0251.0376.0251.0376/, 169.254.169.254",
            "http://0xA9FEA9FE/, 169.254.169.254",
            "http://169.254.169.254./, 169.254.169.254",
            "http://%31%32%37.0.0.1/, 127.0.0.1",
            "http://[::ffff:127.0.0.1]/, 127.0.0.1",
            "http://[::1]:8080/, 0:0:0:0:0:0:0:1",
    })
    void ipv4AndIpv6LiteralsInAnySpellingAreReadAsAddresses(String url, String address) {
        TargetUrl target = TargetUrl.parse(url);
        assertThat(target.literal()).isPresent();
        assertThat(target.literal().get().getHostAddress()).isEqualTo(address);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://example.com/x", "gopher://example.com:70/", "javascript:alert(1)",
            "http://user:pass@example.com/", "http://example.com@127.0.0.1/", "http:///nohost", "//example.com/x", "example.com",
            "http://256.256.256.256/", "http://1.2.3.4.5/", "http://example.com:99999/", "http://exa mple.com/",
            "http://[fe80::1%25eth0]/", "http://example.com/\r\nHost: evil"})
    void refusesWhatIsNotAPlainHttpUrl(String url) {
        assertThatThrownBy(() -> TargetUrl.parse(url)).isInstanceOf(TargetUrl.UrlRefused.class);
    }

    @Test
    void namesAreLowerCasedIdnEncodedAndRequestTargetsEscaped() {
        TargetUrl url = TargetUrl.parse("https://Example.COM/a b/新闻?q=中文#frag");
        assertThat(url.host()).isEqualTo("example.com");
        assertThat(url.literal()).isEmpty();
        assertThat(url.port()).isEqualTo(443);
        assertThat(url.tls()).isTrue();
        assertThat(url.requestTarget()).isEqualTo("/a%20b/%E6%96%B0%E9%97%BB?q=%E4%B8%AD%E6%96%87");
        assertThat(url.hostHeader()).isEqualTo("example.com");
        TargetUrl idn = TargetUrl.parse("http://例子.测试:8080");
        assertThat(idn.host()).isEqualTo("xn--fsqu00a.xn--0zwm56d");
        assertThat(idn.hostHeader()).isEqualTo("xn--fsqu00a.xn--0zwm56d:8080");
        assertThat(idn.requestTarget()).isEqualTo("/");
    }

    @Test
    void redirectsResolveRelativeToTheCurrentUrl() {
        TargetUrl base = TargetUrl.parse("http://example.com/news/today");
        assertThat(base.resolve("/other").toString()).isEqualTo("http://example.com/other");
        assertThat(base.resolve("tomorrow").toString()).isEqualTo("http://example.com/news/tomorrow");
        assertThat(base.resolve("//cdn.example.net/x").host()).isEqualTo("cdn.example.net");
        assertThat(base.resolve("http://0x7f.1:8080/").literal().get().getHostAddress()).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> base.resolve("file:///etc/passwd")).isInstanceOf(TargetUrl.UrlRefused.class);
        assertThatThrownBy(() -> base.resolve("")).isInstanceOf(TargetUrl.UrlRefused.class);
    }
}
