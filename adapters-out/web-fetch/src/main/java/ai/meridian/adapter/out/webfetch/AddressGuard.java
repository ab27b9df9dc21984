package ai.meridian.adapter.out.webfetch;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * The SSRF guard: decides, before any connection, whether a host and the addresses it resolved to may be
 * fetched. Public addresses may; loopback, private, link-local, shared, unique-local and reserved ones only
 * when {@code allow-private-hosts} names the host or the address; metadata, unspecified, multicast and
 * broadcast addresses never. Every address a name resolves to must pass: a name that also points inside the
 * network is refused as a whole.
 */
final class AddressGuard {
    /** Names that reach cloud metadata services without a metadata IP appearing in the URL. */
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com");

    private final AllowList allowList;

    AddressGuard(AllowList allowList) {
        this.allowList = allowList;
    }

    /** Why the host name itself is refused, or null when it may be resolved. */
    String refuseName(String host) {
        if (METADATA_NAMES.contains(host)) {
            return "refused: " + host + " is a cloud metadata name";
        }
        if ((host.equals("localhost") || host.endsWith(".localhost")) && !allowList.allowsHost(host)) {
            return "refused: " + host + " is a loopback name";
        }
        return null;
    }

    /** Why one of the addresses is refused, or null when all of them may be fetched from. */
    String refuseAddresses(String host, List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return "cannot resolve " + host;
        }
        for (InetAddress address : addresses) {
            String reason = refuseAddress(host, address, false);
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    /** Why the address is refused, or null; {@code literal} when the URL named the address itself. */
    String refuseAddress(String host, InetAddress address, boolean literal) {
        AddressKind kind = AddressClassifier.classify(address);
        if (kind == AddressKind.PUBLIC) {
            return null;
        }
        if (kind.openable() && (allowList.allowsHost(host) || allowList.allowsAddress(address))) {
            return null;
        }
        String subject = literal ? host + " is " : host + " resolves to " + address.getHostAddress() + ", ";
        return "refused: " + subject + kind.description();
    }
}
