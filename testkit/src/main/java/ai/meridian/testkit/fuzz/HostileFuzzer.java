package ai.meridian.testkit.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends {@link HostileRequests} to a running gateway over raw sockets and counts what comes back. A status
 * of 500 or more, or no complete answer within the read timeout (a hang), is a failure; a connection the
 * gateway closes without answering is counted apart (that is its answer to a request cut off on purpose).
 * Half the requests are sent half-closed (the client shuts down its sending side after the request), which
 * must not cost their answer.
 *
 * <p>Long runs: {@code bench/hostile-fuzz.sh --requests 100000 --seed 7} against a gateway started separately (see
 * docs/operations.md). Exit status 1 when anything failed.
 */
public final class HostileFuzzer {
    static final String KEY_PLACEHOLDER = "@@KEY@@";

    /** What a run found: statuses counted, failures described. */
    public record Report(Map<String, Integer> statuses, List<String> failures, int requests, Duration took) {
        public int count(String status) {
            return statuses.getOrDefault(status, 0);
        }

        @Override
        public String toString() {
            return "requests=" + requests + " took=" + took.toMillis() + "ms statuses=" + statuses + " failures=" + failures.size()
                    + (failures.isEmpty() ? "" : "\n  " + String.join("\n  ", failures.subList(0, Math.min(20, failures.size()))));
        }
    }

    private final String host;
    private final int port;
    private final String key;
    private final Duration readTimeout;

    public HostileFuzzer(String baseUrl, String key, Duration readTimeout) {
        URI uri = URI.create(baseUrl);
        this.host = uri.getHost();
        this.port = uri.getPort() < 0 ? 80 : uri.getPort();
        this.key = key;
        this.readTimeout = readTimeout;
    }

    /** Sends {@code count} requests from {@code seed}, {@code concurrency} at a time. */
    public Report run(long seed, int count, int concurrency, String model, String embeddingModel) throws Exception {
        return run(seed, count, concurrency, model, embeddingModel, kind -> true);
    }

    /** As {@link #run(long, int, int, String, String)}, only requests whose kind passes {@code kinds}. */
    public Report run(long seed, int count, int concurrency, String model, String embeddingModel,
                      java.util.function.Predicate<String> kinds) throws Exception {
        prepare(model);
        HostileRequests requests = new HostileRequests(seed, model, embeddingModel);
        SplittableRandom halfClose = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<HostileRequests.Request> all = new ArrayList<>(count);
        List<Boolean> halfClosed = new ArrayList<>(count);
        for (int made = 0; all.size() < count && made < count * 1000; made++) {
            HostileRequests.Request request = requests.next();
            if (!kinds.test(request.kind())) {
                continue;
            }
            all.add(request);
            halfClosed.add(request.kind().equals("header-0") || halfClose.nextBoolean());
        }
        Map<String, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        HostileRequests.Request request = all.get(i);
                        String[] answer = new String[1];
                        String status = send(request, halfClosed.get(i), answer);
                        statuses.merge(status, 1, Integer::sum);
                        if (status.equals("hang") || status.startsWith("5")) {
                            String body = answer[0] == null ? "" : answer[0].substring(Math.max(0, answer[0].indexOf("\r\n\r\n")));
                            failures.add("#" + i + " " + request.kind() + " " + request.method() + " " + abbreviate(request.path(), 120) + " -> "
                                    + status + " " + abbreviate(body.strip(), 300));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Report(new TreeMap<>(statuses), List.copyOf(failures), count, Duration.ofNanos(System.nanoTime() - start));
    }

    /** A knowledge base named {@code fuzz} with a document, so that queries and uploads have somewhere to go. */
    private void prepare(String model) throws IOException {
        byte[] create = "{\"name\":\"fuzz\"}".getBytes(StandardCharsets.UTF_8);
        send(new HostileRequests.Request("prepare", "POST", "/v1/knowledge_bases", withBody("POST", "/v1/knowledge_bases", create)), false);
        byte[] doc = "{\"documents\":[{\"title\":\"Fuzz\",\"text\":\"The gateway answers malformed requests with a 4xx. It never hangs.\"}]}"
                .getBytes(StandardCharsets.UTF_8);
        send(new HostileRequests.Request("prepare", "POST", "/v1/knowledge_bases/fuzz/documents",
                withBody("POST", "/v1/knowledge_bases/fuzz/documents", doc)), false);
    }

    private static byte[] withBody(String method, String path, byte[] body) {
        String head = method + " " + path + " HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\nAuthorization: Bearer " + KEY_PLACEHOLDER
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        return HostileRequests.concat(head.getBytes(StandardCharsets.UTF_8), body);
    }

    /** The final status of the answer ("closed" when the connection was closed without one, "hang" on timeout). */
    String send(HostileRequests.Request request, boolean halfClose) {
        return send(request, halfClose, new String[1]);
    }

    String send(HostileRequests.Request request, boolean halfClose, String[] answerOut) {
        byte[] bytes = withKey(request.bytes());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout((int) readTimeout.toMillis());
            long deadline = System.nanoTime() + readTimeout.toNanos();
            OutputStream out = socket.getOutputStream();
            try {
                out.write(bytes);
                out.flush();
                if (halfClose) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // The gateway may answer and close before it read everything (413, 400 on the head): read what it said.
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[16 * 1024];
            try {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    if (answer.size() < 64 * 1024) {
                        answer.write(buffer, 0, Math.min(n, 64 * 1024 - answer.size()));
                    }
                    if (System.nanoTime() > deadline) {
                        return "hang";
                    }
                }
            } catch (SocketTimeoutException e) {
                return "hang";
            } catch (IOException e) {
                // reset after the answer: the answer counts
            }
            answerOut[0] = answer.toString(StandardCharsets.UTF_8);
            return finalStatus(answer.toString(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return "connect-failed";
        }
    }

    private byte[] withKey(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int at = text.indexOf(KEY_PLACEHOLDER);
        if (at < 0) {
            return request;
        }
        return (text.substring(0, at) + key + text.substring(at + KEY_PLACEHOLDER.length())).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The status of the last non-1xx response head in the answer. */
    static String finalStatus(String answer) {
        int at = 0;
        while (answer.startsWith("HTTP/1.", at)) {
            int space = answer.indexOf(' ', at);
            String status = space < 0 || space + 4 > answer.length() ? "garbled" : answer.substring(space + 1, space + 4);
            if (!status.startsWith("1")) {
                return status;
            }
            int end = answer.indexOf("\r\n\r\n", at);
            if (end < 0) {
                return "garbled";
            }
            at = end + 4;
        }
        return answer.isEmpty() || at == answer.length() ? "closed" : "garbled";
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    private static long rssKb(String pid) {
        if (pid == null) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * {@code --url http://127.0.0.1:8080 --key sk-... --requests 10000 --seed 1 --concurrency 8 --model extractive
     * --embedding-model bge-small-zh-v1.5 --pid <gateway pid, for its RSS before and after> --timeout 30s}
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String url = options.getOrDefault("url", "http://127.0.0.1:8080");
        HostileFuzzer fuzzer = new HostileFuzzer(url, options.getOrDefault("key", ""),
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout", "30").replace("s", ""))));
        String pid = options.get("pid");
        long before = rssKb(pid);
        Report report = fuzzer.run(Long.parseLong(options.getOrDefault("seed", "1")), Integer.parseInt(options.getOrDefault("requests", "10000")),
                Integer.parseInt(options.getOrDefault("concurrency", "8")), options.getOrDefault("model", "extractive"),
                options.getOrDefault("embedding-model", "bge-small-zh-v1.5"));
        long after = rssKb(pid);
        System.out.println("FUZZ " + report);
        if (pid != null) {
            System.out.println("FUZZ gateway RSS before=" + before / 1024 + " MiB after=" + after / 1024 + " MiB");
        }
        System.exit(report.failures().isEmpty() ? 0 : 1);
    }
}
