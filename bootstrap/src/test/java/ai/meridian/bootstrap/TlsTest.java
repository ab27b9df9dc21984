package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS setup docs/operations.md documents: a PKCS#12 server certificate and TLS 1.3 only. */
class TlsTest {

    @Test
    void theDocumentedTlsSettingsServeTls13AndRefuseTls12(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("meridian.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
                "-alias", "meridian", "-keyalg", "EC", "-groupname", "secp256r1", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1", "-validity", "2")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).as(new String(keytool.getInputStream().readAllBytes())).isZero();

        Map<String, Object> config = Map.of(
                "meridian", Map.of("master-key", TestGateway.KEY, "data-dir", Files.createDirectories(dir.resolve("data")).toString()),
                "micronaut", Map.of("server", Map.of("port", -1, "ssl", Map.of("enabled", true, "port", -1,
                        "key-store", Map.of("path", "file:" + keystore, "password", "changeit", "type", "PKCS12"),
                        "protocols", java.util.List.of("TLSv1.3")))));
        try (ApplicationContext context = ApplicationContext.builder().propertySources(PropertySource.of("test", config))
                .deduceEnvironment(false).start()) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class).start();
            URI models = URI.create("https://127.0.0.1:" + server.getPort() + "/v1/models");
            assertThat(server.getScheme()).isEqualTo("https");

            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (FileInputStream in = new FileInputStream(keystore.toFile())) {
                trust.load(in, "changeit".toCharArray());
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);

            HttpClient tls13 = HttpClient.newBuilder().sslContext(tls).sslParameters(new SSLParameters(null, new String[] {"TLSv1.3"}))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> answer = tls13.send(HttpRequest.newBuilder(models).header("authorization", "Bearer " + TestGateway.KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);

            HttpClient tls12 = HttpClient.newBuilder().sslContext(tls).sslParameters(new SSLParameters(null, new String[] {"TLSv1.2"}))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> tls12.send(HttpRequest.newBuilder(models).header("authorization", "Bearer " + TestGateway.KEY).build(),
                    HttpResponse.BodyHandlers.ofString())).as("TLS 1.2 is refused").isInstanceOf(javax.net.ssl.SSLException.class);
        }
    }
}
