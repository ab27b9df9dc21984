package ai.meridian.support.nettyhttp;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.util.Locale;
import javax.net.ssl.SSLException;

/** Where an upstream lives: scheme, host, port, base path, and the TLS context for https. */
public record UpstreamEndpoint(String host, int port, String basePath, SslContext sslContext, String hostHeader) {

    public static UpstreamEndpoint of(String baseUrl) {
        URI uri;
        try {
            uri = URI.create(baseUrl.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("base-url is not a URL: " + baseUrl);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("base-url must start with http:// or https://: " + baseUrl);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("base-url has no host: " + baseUrl);
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        boolean defaultPort = uri.getPort() <= 0 || (tls && port == 443) || (!tls && port == 80);
        String hostHeader = defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
        return new UpstreamEndpoint(uri.getHost(), port, path, tls ? tlsContext() : null, hostHeader);
    }

    private static SslContext tlsContext() {
        try {
            return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }
}
