package ai.meridian.adapter.out.webfetch;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The content types the fetcher reads: HTML (and XHTML), plain text and Markdown. Everything else is refused. */
enum PageType {
    HTML, PLAIN_TEXT, MARKDOWN;

    /** The media type without parameters, lower case; empty when there is no header. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** The charset parameter of a Content-Type header, or null. */
    static String charsetParameter(String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String parameter : contentType.split(";")) {
            String p = parameter.trim();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String value = p.substring(8).trim();
                if (value.length() >= 2 && (value.startsWith("\"") || value.startsWith("'"))) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /** The page type of a media type, or null when it is not one the fetcher reads. */
    static PageType ofMediaType(String mediaType) {
        switch (mediaType) {
            case "text/html":
            case "application/xhtml+xml":
                return HTML;
            case "text/plain":
                return PLAIN_TEXT;
            case "text/markdown":
            case "text/x-markdown":
                return MARKDOWN;
            default:
                return null;
        }
    }

    /** For a response without Content-Type: HTML when the start of the body looks like HTML, else null. */
    static PageType sniff(byte[] body, int length) {
        String start = new String(body, 0, Math.min(length, 1024), StandardCharsets.ISO_8859_1).stripLeading().toLowerCase(Locale.ROOT);
        if (start.startsWith("\ufeff") || start.startsWith("\u00ef\u00bb\u00bf")) {
            start = start.substring(start.charAt(0) == '\ufeff' ? 1 : 3).stripLeading();
        }
        for (String marker : new String[] {"<!doctype html", "<html", "<head", "<body", "<title", "<!--"}) {
            if (start.startsWith(marker)) {
                return HTML;
            }
        }
        return null;
    }
}
