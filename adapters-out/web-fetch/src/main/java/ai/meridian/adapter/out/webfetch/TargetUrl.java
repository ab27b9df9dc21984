package ai.meridian.adapter.out.webfetch;

import io.netty.util.NetUtil;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * A URL the fetcher may try: http or https, no credentials, a valid host, a port. The host is kept in ASCII
 * (IDN names converted); a host that is an IP literal, in any of the forms resolvers accept, carries its
 * address, so it is judged as that address and never sent to DNS.
 */
record TargetUrl(URI uri, boolean tls, String host, int port, InetAddress literalAddress, String requestTarget, String hostHeader) {

    private static final int MAX_URL_LENGTH = 4096;

    /** Parses and checks a URL; the reason for refusing is in the exception. */
    static TargetUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new UrlRefused("no URL");
        }
        String text = url.strip();
        if (text.length() > MAX_URL_LENGTH) {
            throw new UrlRefused("the URL is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(escapeLoosely(text));
        } catch (URISyntaxException e) {
            throw new UrlRefused("not a URL: " + e.getReason());
        }
        return of(uri);
    }

    /** Where a redirect's {@code Location} points, relative to this URL. */
    TargetUrl resolve(String location) {
        if (location == null || location.isBlank()) {
            throw new UrlRefused("a redirect without a Location");
        }
        try {
            return of(uri.resolve(new URI(escapeLoosely(location.strip()))));
        } catch (URISyntaxException e) {
            throw new UrlRefused("a redirect to something that is not a URL: " + e.getReason());
        }
    }

    private static TargetUrl of(URI parsed) {
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new UrlRefused(scheme.isEmpty() ? "the URL has no scheme" : "only http and https are fetched, not " + scheme);
        }
        String authority = parsed.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new UrlRefused("the URL has no host");
        }
        if (authority.contains("@")) {
            throw new UrlRefused("URLs with credentials are not fetched");
        }
        boolean tls = scheme.equals("https");
        String hostPart;
        int port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new UrlRefused("the URL has a broken IPv6 host");
            }
            hostPart = authority.substring(0, close + 1);
            port = port(authority.substring(close + 1), tls);
        } else {
            int colon = authority.lastIndexOf(':');
            hostPart = colon < 0 ? authority : authority.substring(0, colon);
            port = port(colon < 0 ? "" : authority.substring(colon), tls);
        }
        String host;
        InetAddress literal = null;
        if (hostPart.startsWith("[")) {
            String inside = hostPart.substring(1, hostPart.length() - 1);
            int zone = inside.indexOf('%');
            if (zone >= 0) {
                throw new UrlRefused("IPv6 zone identifiers are not fetched");
            }
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(inside);
            if (bytes == null || bytes.length != 16 && bytes.length != 4) {
                throw new UrlRefused("the URL has a broken IPv6 host");
            }
            literal = address(bytes);
            host = hostPart.toLowerCase(Locale.ROOT);
        } else {
            host = asciiHost(decodePercent(hostPart));
            if (Ipv4Literal.endsInNumber(host)) {
                Optional<InetAddress> v4 = Ipv4Literal.parse(host);
                if (v4.isEmpty()) {
                    throw new UrlRefused("the host " + host + " is neither a name nor an IPv4 address");
                }
                literal = v4.get();
                host = literal.getHostAddress();
            }
        }
        URI normalized;
        try {
            String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
            normalized = new URI(scheme + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                    + (port == (tls ? 443 : 80) ? "" : ":" + port) + path + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery()));
            normalized = new URI(normalized.toASCIIString());
        } catch (URISyntaxException e) {
            throw new UrlRefused("not a URL: " + e.getReason());
        }
        String target = normalized.getRawPath() + (normalized.getRawQuery() == null ? "" : "?" + normalized.getRawQuery());
        String hostHeader = port == (tls ? 443 : 80) ? host : host + ":" + port;
        return new TargetUrl(normalized, tls, host, port, literal, target, hostHeader);
    }

    /** The address when the host is an IP literal; empty when the host is a name to resolve. */
    Optional<InetAddress> literal() {
        return Optional.ofNullable(literalAddress);
    }

    @Override
    public String toString() {
        return uri.toString();
    }

    private static int port(String colonAndPort, boolean tls) {
        if (colonAndPort.isEmpty() || colonAndPort.equals(":")) {
            return tls ? 443 : 80;
        }
        if (!colonAndPort.startsWith(":") || colonAndPort.length() > 6 || !colonAndPort.substring(1).chars().allMatch(Character::isDigit)) {
            throw new UrlRefused("the URL has a bad port");
        }
        int port = Integer.parseInt(colonAndPort.substring(1));
        if (port < 1 || port > 65535) {
            throw new UrlRefused("the URL has a bad port");
        }
        return port;
    }

    private static String asciiHost(String host) {
        String lower = host.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(lower, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new UrlRefused("the URL has an invalid host name");
        }
        ascii = ascii.toLowerCase(Locale.ROOT);
        if (ascii.isEmpty() || !ascii.matches("[a-z0-9_.-]+") || ascii.startsWith(".") || ascii.contains("..")) {
            throw new UrlRefused("the URL has an invalid host name");
        }
        return ascii;
    }

    private static String decodePercent(String host) {
        if (!host.contains("%")) {
            return host;
        }
        try {
            return java.net.URLDecoder.decode(host.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new UrlRefused("the URL has an invalid host name");
        }
    }

    /** Escapes what people paste into URLs that java.net.URI rejects (spaces, pipes, braces...). */
    private static String escapeLoosely(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new UrlRefused("the URL contains control characters");
            }
            if (c == ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' || c == '{' || c == '|' || c == '}') {
                out.append('%').append(String.format("%02X", (int) c));
            } else {
                out.append(c);
            }
        }
        int hash = out.indexOf("#");
        if (hash >= 0) {
            out.setLength(hash); // the fragment never goes to the server
        }
        return out.toString();
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new UrlRefused("the URL has a broken IP host");
        }
    }

    /** A URL that is not fetched, and why. */
    static final class UrlRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UrlRefused(String reason) {
            super(reason, null, false, false);
        }
    }
}
