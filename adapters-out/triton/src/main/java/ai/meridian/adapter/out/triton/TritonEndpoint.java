package ai.meridian.adapter.out.triton;

/** One Triton server's gRPC address, as configured: {@code host:port} or {@code [ipv6]:port}. */
record TritonEndpoint(String host, int port) {

    TritonEndpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("an endpoint needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, not " + port);
        }
    }

    static TritonEndpoint parse(String value) {
        String v = value.trim();
        if (v.contains("://")) {
            throw new IllegalArgumentException("give host:port without a scheme (TLS is the tls setting), not '" + value + "'");
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException("expected host:port, not '" + value + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("write an IPv6 address in brackets, e.g. [::1]:8001, not '" + value + "'");
        }
        try {
            return new TritonEndpoint(host, Integer.parseInt(v.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a port number after the colon in '" + value + "'");
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
