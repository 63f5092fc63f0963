package dev.pushdeploy.local.moto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
