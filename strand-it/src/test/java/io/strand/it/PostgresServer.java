package io.strand.it;

import static org.awaitility.Awaitility.await;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of its own for one test: a fresh cluster ({@code initdb}) in a temporary
 * directory, the server ({@code postgres}) in the foreground as a child process listening on
 * 127.0.0.1 at a free port, its Unix socket in the same directory, the superuser {@code postgres}
 * with {@code trust} authentication and no password. {@link #close()} stops it ({@code pg_ctl stop
 * -m fast}, then kills what is left) and deletes the directory, so nothing outlives the test.
 *
 * <p>The binaries are those of Debian's {@code postgresql} package ({@code /usr/lib/postgresql/<N>/bin},
 * the highest N), or the directory {@code -Dstrand.it.postgresBin} names, or the one of
 * {@code initdb} on the PATH. None: the test fails on CI ({@code CI=true}, where {@code .ci/run}
 * installs the package) and is skipped elsewhere.
 *
 * <p>PostgreSQL refuses to run as root: as root (CI), the directory is handed to the {@code postgres}
 * system user the package creates, and {@code initdb}, {@code postgres} and {@code pg_ctl} run as that
 * user through {@code runuser}.
 *
 * <p>Not thread-safe: one test thread starts, uses and closes it.
 */
final class PostgresServer implements AutoCloseable {

    static final String SUPERUSER = "postgres";
    static final String DATABASE = "postgres";
    private static final String HOST = "127.0.0.1";
    private static final String SYSTEM_USER = "postgres";
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(60);

    private final Path bin;
    private final Path dir;
    private final int port;
    private ChildProcess.Running server;

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Creates a cluster and starts its server with {@code settings} ({@code -c name=value} each, over
     * {@code fsync=off}), returning once it accepts connections.
     */
    static PostgresServer start(Map<String, String> settings) throws IOException {
        Path bin = binaries();
        Path dir = Files.createTempDirectory("strand-postgres-");
        PostgresServer postgres = new PostgresServer(bin, dir, freePort());
        try {
            postgres.initAndStart(settings);
        } catch (RuntimeException | Error e) {
            postgres.close();
            throw e;
        }
        return postgres;
    }

    int port() {
        return port;
    }

    String host() {
        return HOST;
    }

    /** The JDBC URL of {@link #DATABASE}. */
    String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    /** The libpq connection URI of {@link #DATABASE} as {@link #SUPERUSER}, as psql takes it. */
    String uri() {
        return "postgresql://" + SUPERUSER + "@" + HOST + ":" + port + "/" + DATABASE;
    }

    /** A new JDBC connection to {@link #DATABASE} as {@link #SUPERUSER}, auto-commit on. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), SUPERUSER, "");
    }

    /** What the server wrote to its log so far, for failure messages. */
    String log() {
        return server == null ? "(not started)" : server.describe("running");
    }

    private void initAndStart(Map<String, String> settings) throws IOException {
        Path data = dir.resolve("data");
        handOver(dir);
        runAsServerUser(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                "--auth=trust", "--encoding=UTF8", "--no-sync", "--no-instructions"));
        List<String> command = new ArrayList<>(asServerUser(List.of(bin.resolve("postgres").toString(),
                "-D", data.toString(), "-p", Integer.toString(port), "-k", dir.toString(),
                "-c", "listen_addresses=" + HOST, "-c", "fsync=off")));
        settings.forEach((name, value) -> command.addAll(List.of("-c", name + "=" + value)));
        server = ChildProcess.of(command).start();
        await("PostgreSQL on port " + port + " accepting connections").atMost(START)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!server.isAlive()) {
                        throw new AssertionError("postgres exited before accepting connections: " + server.describe("ended"));
                    }
                    return server.stderrLines().stream()
                            .anyMatch(line -> line.contains("database system is ready to accept connections"));
                });
    }

    /** Stops the server (fast shutdown, then kills what is left) and deletes its directory. */
    @Override
    public void close() {
        try {
            if (server != null && server.isAlive()) {
                ChildProcess.of(asServerUser(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D",
                        dir.resolve("data").toString(), "-m", "fast", "-w"))).timeout(COMMAND).run();
            }
        } catch (AssertionError | UncheckedIOException e) {
            System.err.println("pg_ctl stop failed, the server is killed: " + e.getMessage());
        } finally {
            if (server != null) {
                server.close();
            }
            deleteRecursively(dir);
        }
    }

    private void runAsServerUser(List<String> command) {
        ChildProcess.of(asServerUser(command)).timeout(COMMAND).run().assertSuccess();
    }

    private static List<String> asServerUser(List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SYSTEM_USER, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** As root, gives {@code dir} to the server's system user (it must own the data directory). */
    private static void handOver(Path dir) throws IOException {
        if (runningAsRoot()) {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SYSTEM_USER);
            Files.setOwner(dir, owner);
        }
    }

    private static boolean runningAsRoot() {
        return new UnixSystem().getUid() == 0;
    }

    /** The directory of initdb, postgres and pg_ctl; fails on CI, skips elsewhere, when there is none. */
    private static Path binaries() {
        String configured = System.getProperty("strand.it.postgresBin", "").strip();
        Optional<Path> found = configured.isEmpty() ? debianBinaries().or(PostgresServer::binariesOnPath)
                : Optional.of(Path.of(configured));
        Tools.require(found.filter(dir -> Files.isExecutable(dir.resolve("postgres"))).isPresent(),
                "PostgreSQL server is missing" + (configured.isEmpty() ? "" : " in " + configured)
                        + "; install the Debian package postgresql (or set -Dstrand.it.postgresBin)");
        return found.orElseThrow();
    }

    private static Optional<Path> debianBinaries() {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(versions)) {
            return dirs.filter(dir -> dir.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(dir -> Integer.parseInt(dir.getFileName().toString())))
                    .map(dir -> dir.resolve("bin"))
                    .filter(dir -> Files.isExecutable(dir.resolve("initdb")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + versions, e);
        }
    }

    private static Optional<Path> binariesOnPath() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, "initdb"))
                .filter(Files::isExecutable)
                .findFirst()
                .map(initdb -> {
                    try {
                        return initdb.toRealPath().getParent();
                    } catch (IOException e) {
                        return initdb.getParent();
                    }
                });
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + path, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
