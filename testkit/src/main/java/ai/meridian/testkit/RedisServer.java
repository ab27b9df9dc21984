package ai.meridian.testkit;

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
 * A real {@code redis-server} (Debian's package, which {@code .ci/run} installs) on an ephemeral loopback port,
 * without persistence, that a test can kill and start again on the same port. The binary comes from
 * {@code MERIDIAN_TEST_REDIS_SERVER} or the PATH; without one the test is skipped, unless
 * {@code MERIDIAN_TEST_REDIS_REQUIRED=true} (CI), where a missing server fails it.
 */
public final class RedisServer implements AutoCloseable {
    private final String binary;
    private final Path dir;
    public final int port;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(String binary, Path dir, int port, List<String> extraArgs) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
    }

    public static String binary() {
        String configured = System.getenv("MERIDIAN_TEST_REDIS_SERVER");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return configured;
        }
        for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("MERIDIAN_TEST_REDIS_REQUIRED"))) {
            throw new IllegalStateException("MERIDIAN_TEST_REDIS_REQUIRED=true but no redis-server was found (install Debian's redis-server)");
        }
        Assumptions.abort("Redis tests skipped: no redis-server (install Debian's redis-server or set MERIDIAN_TEST_REDIS_SERVER)");
        return null;
    }

    public static RedisServer start() throws IOException, InterruptedException {
        return start(List.of());
    }

    /** A server with more command-line settings (e.g. {@code --replicaof host port}, cluster mode). */
    public static RedisServer start(List<String> extraArgs) throws IOException, InterruptedException {
        RedisServer server = new RedisServer(binary(), Files.createTempDirectory("meridian-redis"), freePort(), extraArgs);
        server.startAgain();
        return server;
    }

    /** A replica of {@code master}, for Sentinel to promote. */
    public static RedisServer replicaOf(RedisServer master) throws IOException, InterruptedException {
        return start(List.of("--replicaof", "127.0.0.1", String.valueOf(master.port)));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    Path dir() {
        return dir;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server (again, after {@link #kill()}) and waits until it answers. */
    public synchronized void startAgain() throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", dir.toString(), "--protected-mode", "no"));
        command.addAll(extraArgs);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (answers()) {
                return;
            }
            if (!process.isAlive()) {
                throw new IOException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
            Thread.sleep(20);
        }
        throw new IOException("redis-server did not answer on port " + port);
    }

    private boolean answers() {
        return answers(port);
    }

    /** True when something on the loopback port answers a Redis PING. */
    static boolean answers(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(500);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[7];
            int n = socket.getInputStream().read(reply);
            return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: Redis is gone at once, with everything it held. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}
