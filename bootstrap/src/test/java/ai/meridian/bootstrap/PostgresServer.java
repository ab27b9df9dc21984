package ai.meridian.bootstrap;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of the test's own, so a drill can stop and start it: initdb into a fresh directory,
 * pg_ctl to start and stop. PostgreSQL refuses to run as root, so as root every command runs as the
 * {@code postgres} user. Binaries come from {@code MERIDIAN_TEST_PG_BIN} or Debian's /usr/lib/postgresql;
 * when there are none the drill is skipped, unless {@code MERIDIAN_TEST_POSTGRES_REQUIRED=true} (CI).
 */
final class PostgresServer implements AutoCloseable {
    private final Path bin;
    private final String dataDir;
    final int port;

    private PostgresServer(Path bin, String dataDir, int port) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
    }

    static Path binaries() {
        String configured = System.getenv("MERIDIAN_TEST_PG_BIN");
        if (configured != null && Files.isExecutable(Path.of(configured, "pg_ctl"))) {
            return Path.of(configured);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                        .orElse(null);
                if (newest != null) {
                    return newest;
                }
            } catch (IOException ignored) {
                // fall through to "not installed"
            }
        }
        if ("true".equalsIgnoreCase(System.getenv("MERIDIAN_TEST_POSTGRES_REQUIRED"))) {
            throw new IllegalStateException("MERIDIAN_TEST_POSTGRES_REQUIRED=true but no PostgreSQL binaries were found "
                    + "(set MERIDIAN_TEST_PG_BIN or install Debian's postgresql)");
        }
        Assumptions.abort("PostgreSQL drill skipped: no PostgreSQL binaries (install postgresql or set MERIDIAN_TEST_PG_BIN)");
        return null;
    }

    static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String dir = "/tmp/meridian-drill-pg-" + port + "-" + System.nanoTime();
        PostgresServer server = new PostgresServer(bin, dir, port);
        server.run("mkdir -p '" + dir + "' && chmod 700 '" + dir + "'");
        server.run("'" + bin.resolve("initdb") + "' -D '" + dir + "' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null");
        server.startServer();
        server.run("'" + bin.resolve("createdb") + "' -h 127.0.0.1 -p " + port + " -U postgres meridian");
        return server;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/meridian?user=postgres";
    }

    void startServer() throws IOException, InterruptedException {
        run("'" + bin.resolve("pg_ctl") + "' -D '" + dataDir + "' -l '" + dataDir + "/server.log' -w -t 60 -o \"-p " + port
                + " -k /tmp -c listen_addresses=127.0.0.1\" start >/dev/null");
    }

    /** Stops at once, as a crash would (committed work is in the WAL and survives). */
    void stopImmediately() throws IOException, InterruptedException {
        run("'" + bin.resolve("pg_ctl") + "' -D '" + dataDir + "' -m immediate -w stop >/dev/null");
    }

    private void run(String command) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> argv = root ? List.of("su", "postgres", "-s", "/bin/bash", "-c", command) : List.of("bash", "-c", command);
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("'" + command + "' failed: " + output);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            run("'" + bin.resolve("pg_ctl") + "' -D '" + dataDir + "' -m immediate stop >/dev/null 2>&1 || true");
        } finally {
            run("rm -rf '" + dataDir + "'");
        }
    }
}
