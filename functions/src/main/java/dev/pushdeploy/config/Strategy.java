package dev.pushdeploy.config;

import java.util.Locale;

/**
 * How ECS moves a service to a new revision, as its {@code deploymentConfiguration.strategy} says:
 * ROLLING (tasks replaced in place, judged by pushdeploy's checks), or one of ECS's traffic-shifting
 * strategies (BLUE_GREEN, CANARY, LINEAR) that run the new revision beside the old one behind an
 * alternate target group and move production traffic to it, with pushdeploy's lifecycle hook judging
 * each stage.
 *
 * @param type            the strategy
 * @param testUrl         for the traffic-shifting strategies: the URL the hook requests through the
 *                        test listener rule (with {@code testHeader}) before production traffic moves
 * @param testHeader      the HTTP header the test listener rule matches
 * @param testHeaderValue its value
 * @param shift           how ECS moves production traffic and how long it watches each share
 */
public record Strategy(Type type, String testUrl, String testHeader, String testHeaderValue, Shift shift) {
    public static final Strategy ROLLING = new Strategy(Type.ROLLING, null, null, null, Shift.DEFAULT);
    /**
     * The least time ECS's own schedule must leave a run's rollout for the new tasks to start, register and pass the
     * test traffic (or the rollout's own deadline, if shorter).
     */
    public static final int LEAST_START_SECONDS = 300;

    public Strategy {
        shift = shift == null ? Shift.DEFAULT : shift;
    }

    /**
     * ECS's traffic settings: {@code canaryConfiguration} (percent, bake minutes),
     * {@code linearConfiguration} (step percent, step bake minutes) and {@code bakeTimeInMinutes}
     * (both revisions run on after all production traffic moved).
     */
    public record Shift(double canaryPercent, int canaryBakeMinutes, double stepPercent, int stepBakeMinutes, int bakeMinutes) {
        public static final Shift DEFAULT = new Shift(5, 10, 20, 6, 5);
    }

    /**
     * The time ECS spends watching traffic on its own schedule (canary or step bakes, then the
     * bake time) in seconds: a rollout's deadline is extended by it. 0 for ROLLING.
     */
    public int plannedSeconds() {
        int minutes = switch (type) {
            case ROLLING -> 0;
            case BLUE_GREEN -> shift.bakeMinutes();
            case CANARY -> shift.canaryBakeMinutes() + shift.bakeMinutes();
            case LINEAR -> ((int) Math.ceil(100 / shift.stepPercent() - 1e-9) - 1) * shift.stepBakeMinutes() + shift.bakeMinutes();
        };
        return 60 * minutes;
    }

    /** ECS's deployment strategies. */
    public enum Type {
        ROLLING, BLUE_GREEN, CANARY, LINEAR;

        /** The type ECS reports ({@code deploymentConfiguration.strategy}); null or unknown is ROLLING. */
        public static Type of(String ecsName) {
            if (ecsName == null) {
                return ROLLING;
            }
            try {
                return valueOf(ecsName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return ROLLING;
            }
        }

        /** Whether ECS shifts traffic between two target groups (and invokes lifecycle hooks). */
        public boolean shiftsTraffic() {
            return this != ROLLING;
        }
    }

    public boolean shiftsTraffic() {
        return type.shiftsTraffic();
    }
}
