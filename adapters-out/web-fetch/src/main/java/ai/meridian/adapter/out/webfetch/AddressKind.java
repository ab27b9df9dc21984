package ai.meridian.adapter.out.webfetch;

/**
 * What an IP address is, for the SSRF guard. Only {@link #PUBLIC} is fetched by default; an allow-list entry
 * can open the kinds an intranet deployment may legitimately reach, never metadata, unspecified, multicast or
 * broadcast addresses.
 */
enum AddressKind {
    PUBLIC("a public address", true),
    LOOPBACK("a loopback address", true),
    PRIVATE("a private address", true),
    LINK_LOCAL("a link-local address", true),
    SHARED("a shared (carrier-grade NAT) address", true),
    UNIQUE_LOCAL("a unique-local IPv6 address", true),
    RESERVED("a reserved, documentation or tunnelling address", true),
    METADATA("a cloud metadata address", false),
    UNSPECIFIED("an unspecified (this-host) address", false),
    MULTICAST("a multicast address", false),
    BROADCAST("the broadcast address", false);

    private final String description;
    private final boolean openable;

    AddressKind(String description, boolean openable) {
        this.description = description;
        this.openable = openable;
    }

    String description() {
        return description;
    }

    /** Whether {@code allow-private-hosts} may open addresses of this kind. */
    boolean openable() {
        return openable;
    }
}
