package dev.pushdeploy.local.moto;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A moto server started through {@code moto_launcher.py} (the deep-copy fix, the interpreter on a
 * virtual clock, a log of execution status changes; see {@link MotoControl}), with state machine
 * execution switched on. {@code MOTO_PORT} is the port of the local endpoint: moto's Step
 * Functions interpreter sends its Lambda invokes there.
 */
public final class MotoServer implements AutoCloseable {
    private static final String LAUNCHER = "moto_launcher.py";
    static final int PORT_ATTEMPTS = 3;

    private final Process process;
    private final URI endpoint;
    private final Path directory;
    private final Path log;
    private final MotoControl control;

    private MotoServer(Process process, URI endpoint, URI control, Path directory) {
        this.process = process;
        this.endpoint = endpoint;
        this.control = new MotoControl(control);
        this.directory = directory;
        this.log = directory.resolve("moto.log");
    }

    /** Starts moto on a free port as a plain AWS emulator: the interpreter's invokes go to moto itself. */
    public static MotoServer start() {
        return start(0);
    }

    /**
     * Starts moto on a free port, its control port on another.
     *
     * @param lambdaPort where the interpreter sends Lambda invokes (becomes {@code MOTO_PORT}); 0: moto itself
     */
    public static MotoServer start(int lambdaPort) {
        return start(lambdaPort, MotoServer::freePort);
    }

    /**
     * Starts moto on ports {@code ports} gives. A free port may be taken by another process before moto binds it; moto
     * then exits, and it starts again on other ports, up to {@value #PORT_ATTEMPTS} times.
     */
    static MotoServer start(int lambdaPort, PortSource ports) {
        for (int attempt = 1; ; attempt++) {
            MotoServer server = launch(lambdaPort, ports);
            try {
                server.awaitUp();
                server.post("/moto-api/config", "{\"stepfunctions\":{\"execute_state_machine\":true}}");
                return server;
            } catch (PortTaken e) {
                server.close();
                if (attempt == PORT_ATTEMPTS) {
                    throw new IllegalStateException(e.getMessage() + " (" + PORT_ATTEMPTS + " attempts)");
                }
            } catch (IOException e) {
                server.close();
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }

    private static MotoServer launch(int lambdaPort, PortSource ports) {
        try {
            Path dir = Files.createTempDirectory("pushdeploy-moto-");
            Path script = dir.resolve(LAUNCHER);
            try (InputStream in = MotoServer.class.getResourceAsStream("/dev/pushdeploy/local/" + LAUNCHER)) {
                if (in == null) {
                    throw new IllegalStateException(LAUNCHER + " is missing from the classpath");
                }
                Files.copy(in, script);
            }
            int port = ports.next();
            int controlPort = ports.next();
            Path log = dir.resolve("moto.log");
            ProcessBuilder pb = new ProcessBuilder(python(), script.toString(), String.valueOf(port), String.valueOf(controlPort))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("MOTO_PORT", String.valueOf(lambdaPort == 0 ? port : lambdaPort));
            pb.environment().put("AWS_DEFAULT_REGION", "us-east-1");
            // moto loads EC2's default AMIs again at every reset and first EC2 call (half the EC2 time of a
            // test's bootstrap); no function, stack or test reads an AMI.
            pb.environment().put("MOTO_EC2_LOAD_DEFAULT_AMIS", "false");
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start " + python() + " (" + e.getMessage() + "): the local runtime needs "
                        + "Python 3 with moto, the AWS emulator: pip install 'moto[server]==5.2.1' (or set PUSHDEPLOY_PYTHON)", e);
            }
            MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port),
                    URI.create("http://127.0.0.1:" + controlPort), dir);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    public long pid() {
        return process.pid();
    }

    /** The folder of the launcher script (its command line names it) and the log. */
    public Path directory() {
        return directory;
    }

    public MotoControl control() {
        return control;
    }

    /** Clears all emulator state; the execution switch survives a reset. */
    public void reset() {
        post("/moto-api/reset", "");
    }

    public void post(String path, String body) {
        post(endpoint, path, body);
    }

    /** POSTs a JSON body to an emulator's own API ({@code /moto-api/…}, LocalStack's {@code /_localstack/…}). */
    public static void post(URI endpoint, String path, String body) {
        try {
            HttpURLConnection conn = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
            conn.setRequestMethod("POST");
            conn.setDoOutput(true);
            conn.setRequestProperty("Content-Type", "application/json");
            conn.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            int status = conn.getResponseCode();
            if (status >= 300) {
                throw new IllegalStateException("emulator " + endpoint.resolve(path) + " answered " + status);
            }
            conn.getInputStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops moto and removes its launcher and log. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    private void awaitUp() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                String output = Files.readString(log);
                if (output.contains("Address already in use") || output.contains("is in use by another program")) {
                    throw new PortTaken("moto could not bind its ports: another process took one");
                }
                if (output.contains("No module named 'moto'") || output.contains("No module named moto")) {
                    throw new IllegalStateException(python() + " has no moto, the AWS emulator the local runtime needs: "
                            + "pip install 'moto[server]==5.2.1' (or set PUSHDEPLOY_PYTHON to a Python that has it)");
                }
                throw new IllegalStateException("moto exited: " + output);
            }
            try {
                HttpURLConnection conn = (HttpURLConnection) endpoint.resolve("/moto-api/config").toURL().openConnection();
                conn.setConnectTimeout(500);
                if (conn.getResponseCode() == 201) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("moto did not start within 60 s: " + Files.readString(log));
    }

    private static String python() {
        String configured = System.getenv("PUSHDEPLOY_PYTHON");
        return configured == null || configured.isBlank() ? "python3" : configured;
    }

    /** Where the next port comes from. */
    @FunctionalInterface
    interface PortSource {
        int next() throws IOException;
    }

    /** Moto exited because a port it was given was taken meanwhile. */
    private static final class PortTaken extends RuntimeException {
        PortTaken(String message) {
            super(message);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
