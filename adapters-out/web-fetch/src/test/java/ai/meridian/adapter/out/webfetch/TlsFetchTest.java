package ai.meridian.adapter.out.webfetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.PageRefusedException;
import ai.meridian.testkit.HttpReply;
import ai.meridian.testkit.LoopbackHttpServer;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * https with the socket pinned to the checked address: the certificate is still verified against the URL's
 * host name, so pinning does not weaken TLS.
 */
class TlsFetchTest {

    @Test
    void verifiesTheCertificateAgainstTheHostNameNotThePinnedAddress() throws Exception {
        X509Bundle pagesCert = selfSigned("pages.test");
        X509Bundle otherCert = selfSigned("other.test");
        WebFetchSettings settings = SafePageFetcherTest.settings(WebFetchSettings.defaults()).withAllowPrivateHosts(List.of("pages.test"));
        try (LoopbackHttpServer right = LoopbackHttpServer.start(serverContext(pagesCert));
             LoopbackHttpServer wrong = LoopbackHttpServer.start(serverContext(otherCert));
             SafePageFetcher fetcher = new SafePageFetcher(settings, host -> List.of(InetAddress.getByName("127.0.0.1")),
                     pagesCert.toTrustManagerFactory())) {
            right.route("/article", HttpReply.html(Pages.article()));
            assertThat(fetcher.fetch("https://pages.test:" + right.port() + "/article").get(5, TimeUnit.SECONDS).text())
                    .contains(Pages.ARTICLE_BODY);
            assertThat(right.lastRequest().header("host")).isEqualTo("pages.test:" + right.port());

            wrong.route("/article", HttpReply.html(Pages.article()));
            assertThatThrownBy(() -> fetcher.fetch("https://pages.test:" + wrong.port() + "/article").get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(PageRefusedException.class).hasMessageContaining("TLS");
            assertThat(wrong.requests()).isEmpty();
        }
    }

    private static X509Bundle selfSigned(String host) throws Exception {
        return new CertificateBuilder().subject("CN=" + host).addSanDnsName(host).setIsCertificateAuthority(true)
                .notBefore(Instant.now().minus(1, ChronoUnit.DAYS)).notAfter(Instant.now().plus(1, ChronoUnit.DAYS))
                .ecp256().buildSelfSigned();
    }

    private static SSLContext serverContext(X509Bundle bundle) throws Exception {
        char[] password = "test".toCharArray();
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(bundle.toKeyStore(password), password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
