package ai.meridian.adapter.out.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package, which {@code .ci/run} installs) on an ephemeral loopback port, without
 * persistence. Without the binary the test is skipped, unless {@code MERIDIAN_TEST_REDIS_REQUIRED=true} (CI).
 */
public final class LocalRedis implements AutoCloseable {
    private final Process process;
    private final Path dir;
    public final int port;

    private LocalRedis(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static LocalRedis start() throws IOException, InterruptedException {
        String binary = null;
        for (String candidate : List.of(System.getenv().getOrDefault("MERIDIAN_TEST_REDIS_SERVER", ""), "/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (!candidate.isEmpty() && Files.isExecutable(Path.of(candidate))) {
                binary = candidate;
                break;
            }
        }
        if (binary == null) {
            if ("true".equalsIgnoreCase(System.getenv("MERIDIAN_TEST_REDIS_REQUIRED"))) {
                throw new IllegalStateException("MERIDIAN_TEST_REDIS_REQUIRED=true but no redis-server was found");
            }
            Assumptions.abort("no redis-server: Redis tests skipped");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path dir = Files.createTempDirectory("meridian-redis");
        Process process = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", dir.toString(), "--protected-mode", "no").redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = new byte[5];
                if (s.getInputStream().read(reply) > 0 && new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return new LocalRedis(process, dir, port);
                }
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not answer on port " + port);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
