package dev.pushdeploy.local.ecs;

/**
 * Simulated time for the rollout simulator: seconds since the simulator started, running
 * {@code speed} times faster than the wall clock, so tests see a whole rollout in a few seconds.
 */
public interface SimClock {
    /** Simulated seconds since the start. */
    double now();

    /** The wall-clock instant (epoch millis) reported to clients for simulated time {@code t}. */
    long epochMillis(double t);

    static SimClock scaled(double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be positive: " + speed);
        }
        long originNanos = System.nanoTime();
        long originMillis = System.currentTimeMillis();
        return new SimClock() {
            @Override
            public double now() {
                return (System.nanoTime() - originNanos) / 1e9 * speed;
            }

            @Override
            public long epochMillis(double t) {
                return originMillis + Math.round(t / speed * 1000);
            }
        };
    }
}
