package ai.meridian.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of three masters (Debian's {@code redis-server} in cluster mode, each on an ephemeral loopback
 * port with its cluster bus on another), joined with {@code redis-cli --cluster create}, ready when every node says
 * {@code cluster_state:ok}. Skipped or failed like {@link RedisServer} when there is no {@code redis-server}.
 */
public final class RedisCluster implements AutoCloseable {
    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start() throws IOException, InterruptedException {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.start(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000", "--cluster-port", String.valueOf(RedisServer.freePort()))));
            }
            List<String> create = new ArrayList<>(List.of(RedisCli.binary(), "--cluster", "create"));
            nodes.forEach(n -> create.add("127.0.0.1:" + n.port));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            RedisCli.exec(create);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (RedisServer node : nodes) {
                while (RedisCli.run(node.port, "CLUSTER", "INFO").stream().noneMatch(l -> l.trim().equals("cluster_state:ok"))) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the cluster did not become ok on port " + node.port);
                    }
                    Thread.sleep(100);
                }
            }
            return new RedisCluster(nodes);
        } catch (IOException | InterruptedException | RuntimeException e) {
            for (RedisServer node : nodes) {
                node.close();
            }
            throw e;
        }
    }

    /** The seed URLs of every node ({@code meridian.redis.cluster-urls}). */
    public List<String> urls() {
        return nodes.stream().map(RedisServer::url).toList();
    }

    @Override
    public void close() throws InterruptedException {
        for (RedisServer node : nodes) {
            node.close();
        }
    }
}
