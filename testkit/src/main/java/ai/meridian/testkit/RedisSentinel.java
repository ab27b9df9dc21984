package ai.meridian.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Sentinel (Debian's {@code redis-server} started with {@code --sentinel}) on an ephemeral loopback port,
 * watching one master under a name, with a quorum of one and short timeouts so that a killed master is replaced by its
 * replica within seconds. Skipped or failed like {@link RedisServer} when there is no {@code redis-server}.
 */
public final class RedisSentinel implements AutoCloseable {
    public static final String MASTER_NAME = "meridian";

    private final Path dir;
    public final int port;
    private final Process process;

    private RedisSentinel(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts a sentinel watching {@code master} as {@link #MASTER_NAME}, and waits until it knows the master. */
    public static RedisSentinel watching(RedisServer master) throws IOException, InterruptedException {
        String binary = RedisServer.binary();
        Path dir = Files.createTempDirectory("meridian-sentinel");
        int port = RedisServer.freePort();
        // Sentinel rewrites its configuration file as it learns: it must be its own, writable file.
        Path conf = dir.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "protected-mode no",
                "dir " + dir,
                "sentinel resolve-hostnames no",
                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port + " 1",
                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
        Process process = new ProcessBuilder(binary, conf.toString(), "--sentinel")
                .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
        RedisSentinel sentinel = new RedisSentinel(dir, port, process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (RedisServer.answers(port)) {
                return sentinel;
            }
            if (!process.isAlive()) {
                throw new IOException("redis sentinel exited: " + Files.readString(dir.resolve("sentinel.log")));
            }
            Thread.sleep(20);
        }
        sentinel.close();
        throw new IOException("redis sentinel did not answer on port " + port);
    }

    /** The Lettuce URL that finds the master through this sentinel. */
    public String url() {
        return "redis-sentinel://127.0.0.1:" + port + "#" + MASTER_NAME;
    }

    /** The sentinel's log, for a failing test's message. */
    public String log() throws IOException {
        return Files.readString(dir.resolve("sentinel.log"));
    }

    /** The port of the master the sentinel names now (after a failover, the promoted replica's). */
    public int masterPort() throws IOException, InterruptedException {
        List<String> reply = RedisCli.run(port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME);
        return Integer.parseInt(reply.get(reply.size() - 1).trim());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind
        }
    }
}
