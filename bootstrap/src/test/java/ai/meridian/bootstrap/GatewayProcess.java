package ai.meridian.bootstrap;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built jar run as a separate process, the way operators run it. */
final class GatewayProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    final int port;

    private GatewayProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static GatewayProcess start(Path workingDir, Map<String, String> env) throws IOException {
        return start(workingDir, env, List.of(), false);
    }

    /**
     * The jar with these arguments; with {@code terminal}, under a pseudo-terminal (util-linux {@code script}), as
     * when an operator runs it in a shell.
     */
    static GatewayProcess start(Path workingDir, Map<String, String> env, List<String> args, boolean terminal) throws IOException {
        String jar = System.getProperty("meridian.jar", "target/meridian.jar");
        int port = freePort();
        Path log = Files.createTempFile("meridian-process", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", Path.of(jar).toAbsolutePath().toString()));
        command.addAll(args);
        if (terminal) {
            command = List.of("script", "-qfec", String.join(" ", command), "/dev/null");
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("MERIDIAN_") || k.startsWith("DEEPSEEK_") || k.startsWith("MICRONAUT_"));
        builder.environment().put("MICRONAUT_SERVER_PORT", String.valueOf(port));
        builder.environment().putAll(env);
        return new GatewayProcess(builder.start(), log, port);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the log says the server is up, or the process ends. */
    boolean awaitStarted(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (log().contains("Startup completed")) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(100);
        }
        return false;
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process did not exit; log:\n" + log());
        }
        return process.exitValue();
    }

    /** SIGTERM (Process.destroy on Unix): the gateway drains and shuts down. */
    void terminate() {
        process.destroy();
    }

    /** SIGKILL: the process gets no chance to flush, close or shut down (Process.destroyForcibly on Unix). */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("process survived SIGKILL");
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
