import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community in this JVM with Bolt on 127.0.0.1 only.
 *
 * <p>Arguments: {@code <home-dir> <bolt-port> <password>}. Prints {@code READY bolt://...} once the
 * database accepts connections. It shuts down cleanly on SIGTERM, and also when its standard input
 * closes: the Node process that started it holds the other end, so Neo4j never outlives its parent,
 * even one killed with SIGKILL.
 */
public final class LocalNeo4j {
  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      // Print one line the parent can show, then stop every Neo4j thread with us.
      StringBuilder causes = new StringBuilder(String.valueOf(e.getMessage()));
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        causes.append(" | caused by: ").append(c.getMessage());
      }
      System.out.println("FAILED " + causes.toString().replace('\n', ' '));
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: LocalNeo4j <home-dir> <bolt-port> <password>");
      System.exit(2);
    }
    Path home = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    String password = args[2];

    long txMemory = Long.parseLong(System.getenv().getOrDefault("NEO4J_TX_MEMORY_MB", "1024"));
    long pageCache = Long.parseLong(System.getenv().getOrDefault("NEO4J_PAGECACHE_MB", "512"));

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .setConfig(GraphDatabaseSettings.auth_enabled, true)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCache))
            // Per-transaction memory cap: an oversized path query fails with a memory error
            // instead of taking the whole JVM down.
            .setConfig(GraphDatabaseSettings.memory_transaction_max_size, ByteUnit.mebiBytes(txMemory))
            .setConfig(GraphDatabaseSettings.shutdown_transaction_end_timeout, Duration.ofSeconds(5))
            .build();

    Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

    // Replacing the user sets the password whatever it was before, without the
    // "old and new password are the same" error that ALTER USER raises on a restart.
    dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
        .executeTransactionally(
            "CREATE OR REPLACE USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
            Map.of("password", password));

    System.out.println("READY bolt://127.0.0.1:" + port);
    System.out.flush();

    waitForEndOfInput(System.in);
    System.exit(0); // runs the shutdown hook
  }

  private static void waitForEndOfInput(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) != -1) {
        // The parent writes nothing; we only wait for the pipe to close.
      }
    } catch (IOException e) {
      // A broken pipe means the parent is gone, same as end of input.
    }
  }
}
