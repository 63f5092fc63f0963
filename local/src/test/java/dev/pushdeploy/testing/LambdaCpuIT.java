package dev.pushdeploy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cold-start benchmark's CPU allocation holds a real JVM: two processors seen, then the invocation's share of one vCPU. */
class LambdaCpuIT {
    @Test
    void aJvmInTheGroupSeesTwoProcessorsAndIsHeldToTheInvocationsShare(@TempDir Path dir) throws Exception {
        Path busy = Files.writeString(dir.resolve("Busy.java"), """
                class Busy {
                    public static void main(String[] args) throws Exception {
                        System.out.println(Runtime.getRuntime().availableProcessors());
                        System.in.read();
                        long end = System.nanoTime() + 1_000_000_000L;
                        while (System.nanoTime() < end) {
                        }
                    }
                }
                """);
        try (LambdaCpu cpu = LambdaCpu.create(1024)) {
            Process process = cpu.hold(new ProcessBuilder(RuntimeClient.java(), busy.toString())).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("2", out.readLine(), "the JVM sees the two vCPUs of a Lambda environment, not the group's quota");
                assertTrue(Files.readString(Path.of("/proc", Long.toString(process.pid()), "cgroup")).contains(cpu.name()),
                        "the JVM runs in the group");
                long before = cpu.throttledPeriods();
                cpu.invoked();
                process.getOutputStream().write('\n');
                process.getOutputStream().flush();
                assertTrue(process.waitFor(30, TimeUnit.SECONDS));
                long throttled = cpu.throttledPeriods() - before;
                assertTrue(throttled >= 5, "a thread spinning for a second, held to 0.58 of a vCPU, was held back in "
                        + throttled + " of the controller's 100 ms periods");
            } finally {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
