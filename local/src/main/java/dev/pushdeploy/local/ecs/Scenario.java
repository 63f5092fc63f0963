package dev.pushdeploy.local.ecs;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the simulated rollout of a new revision goes, chosen per run ({@code --scenario}). */
public enum Scenario {
    /** Tasks start, targets turn healthy, the deployment completes. */
    HEALTHY(Fate.HEALTHY, false),
    /** Like healthy, but tasks take several times longer to start and pass health checks. */
    SLOW_START(Fate.SLOW, false),
    /** Every task's essential container exits; the circuit breaker fails the deployment and ECS rolls back. */
    CRASH_LOOP(Fate.CRASH, false),
    /** Tasks run but never pass the ALB health check; ECS replaces them until the circuit breaker trips. */
    UNHEALTHY_TARGETS(Fate.UNHEALTHY, false),
    /** ECS reports a healthy deployment, but the HTTP smoke check of the new revision fails. */
    BAD_SMOKE(Fate.HEALTHY, true),
    /** The new revision crash-loops, and so does any deployment that tries to go back. */
    ROLLBACK_FAILS(Fate.CRASH, false),
    /**
     * The new revision is healthy, but once all production traffic moved, the first deployment alarm
     * goes into ALARM during the bake (traffic-shifting strategies).
     */
    ALARM_IN_BAKE(Fate.HEALTHY, false);

    private final Fate fate;
    private final boolean smokeFails;

    Scenario(Fate fate, boolean smokeFails) {
        this.fate = fate;
        this.smokeFails = smokeFails;
    }

    /** What the tasks of a deployment of a never-completed revision do. */
    public Fate fate() {
        return fate;
    }

    public boolean smokeFails() {
        return smokeFails;
    }

    /** The name on the command line: {@code crash-loop} for CRASH_LOOP. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Scenario fromCliName(String name) {
        for (Scenario s : values()) {
            if (s.cliName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "'; one of: "
                + Arrays.stream(values()).map(Scenario::cliName).collect(Collectors.joining(", ")));
    }

    /** The life of one simulated task; PULL_FAILS: its image does not exist, the task never starts. */
    public enum Fate {
        HEALTHY, SLOW, CRASH, UNHEALTHY, PULL_FAILS
    }
}
