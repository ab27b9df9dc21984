package ai.meridian.bootstrap;

import ai.meridian.application.port.out.BackendSettings;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator once, at start-up, about every HTTP backend that cannot be reached: a WARN line with its
 * id and URL. The check only opens a TCP connection (nothing is sent, nothing billed), in the background, so
 * start-up does not wait for it; requests routed to such a backend fail over as usual. Only backends nothing
 * else reports on are checked: an OpenAI-compatible backend reads its model list at start-up
 * ({@code model-discovery}, on by default) and says once, with the URL, when it cannot; Triton backends report
 * their endpoints themselves. So each unreachable backend is named once.
 */
@Singleton
final class StartupReachability {
    private static final Logger LOG = LoggerFactory.getLogger(StartupReachability.class);
    private static final int TIMEOUT_MILLIS = 3000;
    private final List<BackendSettings> backends;

    StartupReachability(GatewayConfiguration configuration) {
        this.backends = configuration.backends();
    }

    @EventListener
    void onStartup(ServerStartupEvent event) {
        for (BackendSettings backend : backends) {
            if (!backend.string("model-discovery", "true").trim().equalsIgnoreCase("false")) {
                continue; // the model discovery's own warning names the URL
            }
            backend.string("base-url").ifPresent(url -> {
                Thread check = new Thread(() -> check(backend.id(), url), "meridian-reachability-" + backend.id());
                check.setDaemon(true);
                check.start();
            });
        }
    }

    static void check(String id, String baseUrl) {
        String shown = shown(baseUrl);
        try {
            URI uri = URI.create(baseUrl.trim());
            int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), port), TIMEOUT_MILLIS);
            }
        } catch (UnknownHostException e) {
            LOG.warn("Backend '{}' at {} is unreachable at start-up: unknown host {}; requests routed to it will fail over until it answers",
                    id, shown, e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("Backend '{}' at {} is unreachable at start-up: {}; requests routed to it will fail over until it answers",
                    id, shown, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    /** The URL without credentials or query, which may carry secrets. */
    static String shown(String url) {
        return url.trim().replaceFirst("//[^/@]*@", "//").replaceAll("[?#].*$", "");
    }
}
