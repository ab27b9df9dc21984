package ai.meridian.bootstrap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 exchange on a raw socket, read event by event: the status and headers, each server-sent event (its
 * {@code id} and {@code data}), the chunked body's trailers; and a client that can vanish mid-stream ({@link #close()}).
 */
final class RawSse implements AutoCloseable {
    /** One server-sent event. */
    record Event(String id, String data) {
    }

    private final Socket socket;
    private final InputStream in;
    final int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    final Map<String, String> trailers = new LinkedHashMap<>();
    private final boolean chunked;
    private byte[] buffered = new byte[0];
    private int position;
    private boolean ended;

    private RawSse(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        String statusLine = line();
        this.status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        this.chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    }

    static RawSse open(String host, int port, String method, String path, String body, String... headers) {
        try {
            Socket socket = new Socket(host, port);
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                request.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            return new RawSse(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int read() throws IOException {
        if (!chunkedAware()) {
            return in.read();
        }
        if (position == buffered.length) {
            if (ended || !nextChunk()) {
                return -1;
            }
        }
        return buffered[position++] & 0xff;
    }

    private boolean chunkedAware() {
        return chunked;
    }

    /** Reads the next chunk into the buffer; false at the last chunk (whose trailers it reads). */
    private boolean nextChunk() throws IOException {
        String size = rawLine();
        int semicolon = size.indexOf(';');
        int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
        if (n == 0) {
            for (String trailer = rawLine(); !trailer.isEmpty(); trailer = rawLine()) {
                int colon = trailer.indexOf(':');
                trailers.put(trailer.substring(0, colon).trim().toLowerCase(Locale.ROOT), trailer.substring(colon + 1).trim());
            }
            ended = true;
            return false;
        }
        buffered = in.readNBytes(n);
        position = 0;
        rawLine(); // CRLF after the chunk
        return true;
    }

    private String rawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** A header line (before the body). */
    private String line() throws IOException {
        return rawLine();
    }

    /** The next event, or null at the end of the body. */
    Event next() {
        try {
            String id = null;
            StringBuilder data = null;
            while (true) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int b;
                while ((b = read()) != -1 && b != '\n') {
                    line.write(b);
                }
                if (b == -1 && line.size() == 0) {
                    return data == null ? null : new Event(id, data.toString());
                }
                String text = line.toString(StandardCharsets.UTF_8);
                if (text.isEmpty()) {
                    if (data != null) {
                        return new Event(id, data.toString());
                    }
                    continue;
                }
                if (text.startsWith("id:")) {
                    id = text.substring(3).trim();
                } else if (text.startsWith("data:")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(text.substring(5).trim());
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** Every remaining event. */
    List<Event> rest() {
        List<Event> events = new ArrayList<>();
        for (Event e = next(); e != null; e = next()) {
            events.add(e);
        }
        return events;
    }

    /** The whole body as text (for error answers). */
    String body() {
        try {
            if (chunked) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                int b;
                while ((b = read()) != -1) {
                    all.write(b);
                }
                return all.toString(StandardCharsets.UTF_8);
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            return new String(in.readNBytes(length), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.setSoLinger(true, 0); // a reset, as a client that vanishes
            socket.close();
        } catch (IOException ignored) {
            // gone anyway
        }
    }
}
