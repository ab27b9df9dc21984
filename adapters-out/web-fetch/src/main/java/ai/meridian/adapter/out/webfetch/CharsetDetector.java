package ai.meridian.adapter.out.webfetch;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the charset of a fetched page the way browsers do, in order: a byte-order mark, the Content-Type
 * header, a {@code <meta charset>} or {@code http-equiv} declaration near the start, valid UTF-8, else
 * windows-1252. Labels are read as the WHATWG Encoding standard reads them: {@code gb2312} and {@code gbk}
 * pages are decoded as GB18030 (their superset, which real "gb2312" pages need), {@code iso-8859-1} as
 * windows-1252.
 */
final class CharsetDetector {
    private static final int META_SCAN_BYTES = 8192;
    private static final Pattern META_CHARSET = Pattern.compile(
            "<meta\\s[^>]*?charset\\s*=\\s*[\"']?\\s*([a-zA-Z0-9_:.+-]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern XML_ENCODING = Pattern.compile("^\\s*<\\?xml[^>]*encoding\\s*=\\s*[\"']([a-zA-Z0-9_.-]+)");
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("gb2312", "GB18030"), Map.entry("gbk", "GB18030"), Map.entry("x-gbk", "GB18030"),
            Map.entry("gb_2312-80", "GB18030"), Map.entry("chinese", "GB18030"), Map.entry("csgb2312", "GB18030"),
            Map.entry("iso-ir-58", "GB18030"), Map.entry("gb18030", "GB18030"), Map.entry("hz-gb-2312", "GB18030"),
            Map.entry("big5", "Big5-HKSCS"), Map.entry("big5-hkscs", "Big5-HKSCS"), Map.entry("x-x-big5", "Big5-HKSCS"),
            Map.entry("iso-8859-1", "windows-1252"), Map.entry("latin1", "windows-1252"), Map.entry("us-ascii", "windows-1252"),
            Map.entry("ascii", "windows-1252"), Map.entry("utf8", "UTF-8"), Map.entry("unicode-1-1-utf-8", "UTF-8"),
            Map.entry("shift-jis", "Shift_JIS"), Map.entry("x-sjis", "Shift_JIS"), Map.entry("euc-kr", "x-windows-949"));

    private CharsetDetector() {
    }

    static Charset detect(byte[] body, int length, String contentTypeCharset) {
        Charset bom = fromBom(body, length);
        if (bom != null) {
            return bom;
        }
        Charset declared = forLabel(contentTypeCharset);
        if (declared != null) {
            return declared;
        }
        String head = new String(body, 0, Math.min(length, META_SCAN_BYTES), StandardCharsets.ISO_8859_1);
        Matcher xml = XML_ENCODING.matcher(head);
        if (xml.find()) {
            declared = forLabel(xml.group(1));
        }
        if (declared == null) {
            Matcher meta = META_CHARSET.matcher(head);
            if (meta.find()) {
                declared = forLabel(meta.group(1));
            }
        }
        if (declared != null) {
            // A page served as UTF-16 cannot declare it in ASCII; such a declaration means UTF-8 (WHATWG).
            return declared.name().startsWith("UTF-16") ? StandardCharsets.UTF_8 : declared;
        }
        return isUtf8(body, length) ? StandardCharsets.UTF_8 : Charset.forName("windows-1252");
    }

    /** The charset for a label, or null when the label is empty or unknown to the JDK. */
    static Charset forLabel(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        String key = label.trim().toLowerCase(Locale.ROOT);
        String name = LABELS.getOrDefault(key, key);
        try {
            return Charset.isSupported(name) ? Charset.forName(name) : null;
        } catch (IllegalArgumentException illegalName) {
            return null;
        }
    }

    /** Where the text starts: after a byte-order mark, if any. */
    static int bomLength(byte[] body, int length) {
        if (length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf) {
            return 3;
        }
        if (length >= 2 && ((body[0] & 0xff) == 0xfe && (body[1] & 0xff) == 0xff || (body[0] & 0xff) == 0xff && (body[1] & 0xff) == 0xfe)) {
            return 2;
        }
        return 0;
    }

    private static Charset fromBom(byte[] body, int length) {
        int bom = bomLength(body, length);
        if (bom == 3) {
            return StandardCharsets.UTF_8;
        }
        if (bom == 2) {
            return (body[0] & 0xff) == 0xfe ? StandardCharsets.UTF_16BE : StandardCharsets.UTF_16LE;
        }
        return null;
    }

    private static boolean isUtf8(byte[] body, int length) {
        // The body may be cut at the size cap in the middle of a character: ignore an incomplete tail.
        int end = length;
        int back = 0;
        while (back < 3 && end - back - 1 >= 0 && (body[end - back - 1] & 0xc0) == 0x80) {
            back++;
        }
        if (end - back - 1 >= 0 && (body[end - back - 1] & 0xc0) == 0xc0) {
            end = end - back - 1;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body, 0, end));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
