package dev.pushdeploy.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lambda's CPU allocation for a process, by a cgroup of the Linux {@code cpu} controller (v1): an on-demand function
 * initialises with one full vCPU, then runs its invocations with {@code memory / 1,769 MB} of one (Lambda's guide to
 * memory: 1,769 MB is one vCPU-second of credit per second), the JVM seeing the two vCPUs Lambda's environments show
 * below 3,009 MB. {@link #hold} starts a process in the group at the init share; {@link #invoked} lowers it to the
 * invocation's. Needs write access to the controller (root here); without it, creating one fails naming the path.
 */
public final class LambdaCpu implements AutoCloseable {
    private static final Path CONTROLLER = Path.of("/sys/fs/cgroup/cpu");
    private static final long PERIOD_MICROS = 100_000;
    private static final double MB_PER_VCPU = 1769;
    private static final int VISIBLE_VCPUS = 2;
    private static final AtomicInteger GROUPS = new AtomicInteger();
    private static final String PREFIX = "pushdeploy-bench-";

    private final Path group;
    private final int memoryMb;

    private LambdaCpu(Path group, int memoryMb) {
        this.group = group;
        this.memoryMb = memoryMb;
    }

    /** A new group for a function of {@code memoryMb}, at the init share (one vCPU). */
    public static LambdaCpu create(int memoryMb) {
        Path group = CONTROLLER.resolve(PREFIX + ProcessHandle.current().pid() + "-" + GROUPS.incrementAndGet());
        try {
            removeLeftovers();
            Files.createDirectory(group);
            LambdaCpu cpu = new LambdaCpu(group, memoryMb);
            cpu.write("cpu.cfs_period_us", PERIOD_MICROS);
            cpu.write("cpu.cfs_quota_us", PERIOD_MICROS);
            return cpu;
        } catch (IOException e) {
            throw new IllegalStateException("Lambda's CPU allocation needs a cgroup v1 cpu controller this user may write at "
                    + CONTROLLER + " (creating " + group + " failed: " + e + ")", e);
        }
    }

    /** Removes the groups of test JVMs that ended without removing theirs (killed): their processes are gone. */
    private static void removeLeftovers() throws IOException {
        try (var groups = Files.list(CONTROLLER)) {
            for (Path group : groups.toList()) {
                String name = group.getFileName().toString();
                if (name.startsWith(PREFIX) && name.indexOf('-', PREFIX.length()) > 0) {
                    long pid = Long.parseLong(name.substring(PREFIX.length(), name.indexOf('-', PREFIX.length())));
                    if (ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(group);
                    }
                }
            }
        }
    }

    /** The share of one vCPU an invocation of a {@code memoryMb} function gets. */
    public static double invocationShare(int memoryMb) {
        return Math.min(VISIBLE_VCPUS, memoryMb / MB_PER_VCPU);
    }

    /**
     * {@code builder} (a {@code java} command) started inside this group: a shell joins it, then becomes the JVM, which is
     * told it has the vCPUs Lambda shows (a JVM would otherwise size its threads to the group's quota).
     */
    public ProcessBuilder hold(ProcessBuilder builder) {
        List<String> java = builder.command();
        List<String> command = new ArrayList<>(List.of("sh", "-c", "echo $$ > '" + group.resolve("cgroup.procs") + "' && exec \"$@\"",
                "sh", java.get(0), "-XX:ActiveProcessorCount=" + VISIBLE_VCPUS));
        command.addAll(java.subList(1, java.size()));
        return builder.command(command);
    }

    /** From now on the group gets the invocation's share. */
    public void invoked() {
        write("cpu.cfs_quota_us", Math.round(PERIOD_MICROS * invocationShare(memoryMb)));
    }

    /** The group's name, as {@code /proc/<pid>/cgroup} shows it. */
    public String name() {
        return group.getFileName().toString();
    }

    /** How many of the controller's periods held the group back (its {@code cpu.stat}'s {@code nr_throttled}). */
    public long throttledPeriods() throws IOException {
        return Files.readAllLines(group.resolve("cpu.stat")).stream()
                .filter(line -> line.startsWith("nr_throttled "))
                .mapToLong(line -> Long.parseLong(line.substring("nr_throttled ".length()).trim()))
                .findFirst().orElseThrow(() -> new IOException(group.resolve("cpu.stat") + " has no nr_throttled"));
    }

    private void write(String file, long value) {
        try {
            Files.writeString(group.resolve(file), Long.toString(value));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + value + " to " + group.resolve(file), e);
        }
    }

    /** Removes the group; its processes must have ended. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(group);
    }
}
