package ai.meridian.adapter.out.webfetch;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses. Production uses the system resolver ({@link #SYSTEM}); tests inject a
 * table so that "a public-looking name that resolves to loopback" can be tried without a network.
 */
@FunctionalInterface
interface HostResolver {
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /** Every address of the name; blocking (the fetcher calls it on its own resolver threads). */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
