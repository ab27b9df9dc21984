package ai.meridian.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code redis-cli} next to the {@code redis-server} the tests use (Debian installs both), for setting servers up. */
final class RedisCli {
    private RedisCli() {
    }

    static String binary() {
        Path server = Path.of(RedisServer.binary());
        Path cli = server.resolveSibling("redis-cli");
        return Files.isExecutable(cli) ? cli.toString() : "redis-cli";
    }

    /** Runs {@code redis-cli -p port args...} and answers its output lines; fails when it does not exit 0 within 30 s. */
    static List<String> run(int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary(), "-h", "127.0.0.1", "-p", String.valueOf(port)));
        command.addAll(List.of(args));
        return exec(command);
    }

    static List<String> exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8).lines().toList();
    }
}
