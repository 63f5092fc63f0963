package dev.pushdeploy.local.moto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An emulator whose owner never closes it (a test JVM's shared one) goes when that JVM exits: its process and its folder. */
class MotoServerIT {
    /** Starts moto, prints its pid and folder, and exits without closing it. */
    public static void main(String[] args) {
        MotoServer moto = MotoServer.start();
        System.out.println(moto.pid() + " " + moto.directory());
    }

    @Test
    void aPortTakenBeforeMotoBindsItIsReplaced() throws Exception {
        HttpServer other = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        other.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        other.start();
        int taken = other.getAddress().getPort();
        Deque<Integer> ports = new ArrayDeque<>(List.of(taken, MotoServer.freePort()));
        try (MotoServer moto = MotoServer.start(0, () -> ports.isEmpty() ? MotoServer.freePort() : ports.pop())) {
            assertNotEquals(taken, moto.endpoint().getPort());
            HttpURLConnection config = (HttpURLConnection) moto.endpoint().resolve("/moto-api/config").toURL().openConnection();
            String answer = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("{\"batch\""), "moto's own configuration answers there: " + answer);
        } finally {
            other.stop(0);
        }
    }

    @Test
    void anEmulatorLeftOpenIsGoneWhenItsJvmExits() throws IOException, InterruptedException {
        Process jvm = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MotoServerIT.class.getName())).redirectErrorStream(true).start();
        assertTrue(jvm.waitFor(90, TimeUnit.SECONDS), "the JVM exited");
        String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, jvm.exitValue(), output);
        String[] line = output.lines().reduce((a, b) -> b).orElseThrow().split(" ");
        long pid = Long.parseLong(line[0]);
        Path folder = Path.of(line[1]);

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "moto " + pid + " was stopped");
        assertFalse(Files.exists(folder), folder + " was removed");
    }
}
