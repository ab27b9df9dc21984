package ai.meridian.adapter.out.webfetch;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code allow-private-hosts} opens for intranet deployments: host names ({@code wiki.corp}), host name
 * suffixes ({@code *.corp.example}), IP addresses and CIDR blocks ({@code 10.20.0.0/16}, {@code fd12::/16}). A
 * listed name may resolve to any openable address; a listed address or block is reachable under any name.
 * Nothing here opens metadata, unspecified, multicast or broadcast addresses.
 */
final class AllowList {
    private final List<String> exactHosts;
    private final List<String> hostSuffixes;
    private final List<Block> blocks;

    private AllowList(List<String> exactHosts, List<String> hostSuffixes, List<Block> blocks) {
        this.exactHosts = exactHosts;
        this.hostSuffixes = hostSuffixes;
        this.blocks = blocks;
    }

    static AllowList parse(List<String> entries) {
        List<String> exact = new ArrayList<>();
        List<String> suffixes = new ArrayList<>();
        List<Block> blocks = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("web-fetch allow-private-hosts has an empty entry");
            }
            if (entry.contains("/") || entry.contains(":") || isDottedQuad(entry)) {
                blocks.add(Block.parse(entry));
            } else if (entry.startsWith("*.")) {
                String suffix = entry.substring(1);
                requireHostName(suffix.substring(1), raw);
                suffixes.add(suffix);
            } else {
                requireHostName(entry, raw);
                exact.add(entry);
            }
        }
        return new AllowList(List.copyOf(exact), List.copyOf(suffixes), List.copyOf(blocks));
    }

    boolean isEmpty() {
        return exactHosts.isEmpty() && hostSuffixes.isEmpty() && blocks.isEmpty();
    }

    boolean allowsHost(String host) {
        if (exactHosts.contains(host)) {
            return true;
        }
        for (String suffix : hostSuffixes) {
            if (host.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    boolean allowsAddress(InetAddress address) {
        for (Block block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDottedQuad(String entry) {
        return entry.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static void requireHostName(String name, String raw) {
        if (!name.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")) {
            throw new IllegalArgumentException("web-fetch allow-private-hosts entry is not a host name, address or CIDR: " + raw);
        }
    }

    /** An address block; a bare address is a block of one. */
    private record Block(byte[] network, int prefix) {

        static Block parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(address, entry);
            int max = bytes.length * 8;
            int prefix = max;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("web-fetch allow-private-hosts has a bad prefix length: " + entry);
                }
            }
            return new Block(bytes, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((candidate[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        private static byte[] literal(String address, String entry) {
            String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
            // Netty's parser reads literals only: nothing here is ever looked up in DNS.
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(bare);
            if (bytes == null) {
                throw new IllegalArgumentException("web-fetch allow-private-hosts entry is not an IP address or CIDR: " + entry);
            }
            return bytes;
        }
    }
}
