package ai.meridian.adapter.out.webfetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Sorts IP addresses into {@link AddressKind}s by their bytes alone (no lookups). IPv6 forms that carry an
 * IPv4 address (mapped {@code ::ffff:a.b.c.d}, compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4
 * {@code 2002::/16}) are judged by the IPv4 address inside, so {@code ::ffff:127.0.0.1} is loopback.
 */
final class AddressClassifier {
    private AddressClassifier() {
    }

    static AddressKind classify(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return classifyV4(u(b[0]), u(b[1]), u(b[2]), u(b[3]));
        }
        if (address instanceof Inet6Address) {
            return classifyV6(b);
        }
        return AddressKind.RESERVED;
    }

    static AddressKind classifyV4(int a, int b, int c, int d) {
        if (a == 169 && b == 254 && c == 169 && d == 254          // AWS, GCP, Azure, OpenStack, DigitalOcean...
                || a == 100 && b == 100 && c == 100 && d == 200    // Alibaba Cloud
                || a == 192 && b == 0 && c == 0 && d == 192        // Oracle Cloud
                || a == 168 && b == 63 && c == 129 && d == 16) {   // Azure wire server (a public-range address)
            return AddressKind.METADATA;
        }
        if (a == 0) {
            return AddressKind.UNSPECIFIED; // 0.0.0.0/8: Linux connects 0.0.0.0 to the local host
        }
        if (a == 127) {
            return AddressKind.LOOPBACK;
        }
        if (a == 10 || a == 172 && (b & 0xf0) == 16 || a == 192 && b == 168) {
            return AddressKind.PRIVATE;
        }
        if (a == 169 && b == 254) {
            return AddressKind.LINK_LOCAL;
        }
        if (a == 100 && (b & 0xc0) == 64) {
            return AddressKind.SHARED;
        }
        if (a == 255 && b == 255 && c == 255 && d == 255) {
            return AddressKind.BROADCAST;
        }
        if (a >= 224 && a <= 239) {
            return AddressKind.MULTICAST;
        }
        if (a >= 240                                   // 240/4 reserved
                || a == 192 && b == 0 && (c == 0 || c == 2) // IETF protocol assignments, TEST-NET-1
                || a == 192 && b == 88 && c == 99           // 6to4 relay anycast
                || a == 198 && (b & 0xfe) == 18             // benchmarking 198.18/15
                || a == 198 && b == 51 && c == 100          // TEST-NET-2
                || a == 203 && b == 0 && c == 113) {        // TEST-NET-3
            return AddressKind.RESERVED;
        }
        return AddressKind.PUBLIC;
    }

    private static AddressKind classifyV6(byte[] b) {
        if (isAwsMetadataV6(b)) {
            return AddressKind.METADATA;
        }
        if (zero(b, 0, 10)) {
            if (u(b[10]) == 0xff && u(b[11]) == 0xff) {
                return embedded(b, 12); // ::ffff:a.b.c.d
            }
            if (zero(b, 10, 2)) {
                if (zero(b, 12, 3) && (u(b[15]) == 0 || u(b[15]) == 1)) {
                    return u(b[15]) == 0 ? AddressKind.UNSPECIFIED : AddressKind.LOOPBACK;
                }
                return embedded(b, 12); // ::a.b.c.d (deprecated IPv4-compatible)
            }
        }
        int first = u(b[0]);
        int second = u(b[1]);
        if (first == 0x00 && second == 0x64 && u(b[2]) == 0xff && u(b[3]) == 0x9b) {
            return zero(b, 4, 8) ? embedded(b, 12) : AddressKind.RESERVED; // NAT64 well-known; 64:ff9b:1::/48 local use
        }
        if (first == 0x20 && second == 0x02) {
            return embedded(b, 2); // 6to4
        }
        if (first == 0x20 && second == 0x01 && u(b[2]) == 0 && u(b[3]) == 0) {
            return AddressKind.RESERVED; // Teredo: tunnels to addresses we cannot see
        }
        if (first == 0x20 && second == 0x01 && u(b[2]) == 0x0d && u(b[3]) == 0xb8) {
            return AddressKind.RESERVED; // documentation
        }
        if (first == 0xff) {
            return AddressKind.MULTICAST;
        }
        if ((first & 0xfe) == 0xfc) {
            return AddressKind.UNIQUE_LOCAL;
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return AddressKind.LINK_LOCAL;
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return AddressKind.PRIVATE; // deprecated site-local
        }
        if ((first & 0xe0) != 0x20) {
            return AddressKind.RESERVED; // outside 2000::/3, the only global unicast block
        }
        return AddressKind.PUBLIC;
    }

    private static boolean isAwsMetadataV6(byte[] b) {
        // fd00:ec2::254
        return u(b[0]) == 0xfd && u(b[1]) == 0x00 && u(b[2]) == 0x0e && u(b[3]) == 0xc2 && zero(b, 4, 10)
                && u(b[14]) == 0x02 && u(b[15]) == 0x54;
    }

    private static AddressKind embedded(byte[] b, int at) {
        return classifyV4(u(b[at]), u(b[at + 1]), u(b[at + 2]), u(b[at + 3]));
    }

    private static boolean zero(byte[] b, int from, int length) {
        for (int i = from; i < from + length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int u(byte b) {
        return b & 0xff;
    }
}
