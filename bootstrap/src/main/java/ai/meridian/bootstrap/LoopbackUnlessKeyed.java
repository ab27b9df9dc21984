package ai.meridian.bootstrap;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Without an API key the gateway must not be reachable from the network: it binds to 127.0.0.1 whatever
 * host was configured, and says so at start-up.
 */
@Singleton
final class LoopbackUnlessKeyed implements BeanCreatedEventListener<NettyHttpServerConfiguration> {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackUnlessKeyed.class);
    private final boolean keyed;

    LoopbackUnlessKeyed(@Value("${meridian.master-key:}") String masterKey) {
        this.keyed = masterKey != null && !masterKey.isBlank();
    }

    @Override
    public NettyHttpServerConfiguration onCreated(BeanCreatedEvent<NettyHttpServerConfiguration> event) {
        NettyHttpServerConfiguration configuration = event.getBean();
        if (!keyed) {
            String host = configuration.getHost().orElse(null);
            if (host == null || !isLoopback(host)) {
                configuration.setHost("127.0.0.1");
            }
            LOG.warn("No API key is configured (meridian.master-key or MERIDIAN_MASTER_KEY): the gateway accepts any caller "
                    + "and therefore listens on loopback ({}) only. Set a key to serve the network.", configuration.getHost().orElse("127.0.0.1"));
        }
        return configuration;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (Exception e) {
            return false;
        }
    }
}
