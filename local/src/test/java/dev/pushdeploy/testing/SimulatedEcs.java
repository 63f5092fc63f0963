package dev.pushdeploy.testing;

import dev.pushdeploy.local.ecs.EcsSimulator;
import dev.pushdeploy.local.endpoint.LocalEndpoint;
import dev.pushdeploy.local.endpoint.Route;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The emulator behind the local runtime's ECS simulator, as the local runtime puts them, for a test that needs ECS's
 * answers where moto's differ: moto's ECS starts no deployment on UpdateService and has no service-deployment API,
 * the simulator does both, and serves the test listener ({@link EcsSimulator#TEST_PATH}) and CloudWatch's alarms. Its
 * fleet is frozen at the moment it was made: a deployment is seen as it just started, however long the test takes.
 */
public final class SimulatedEcs implements AutoCloseable {
    private final Emulator emulator;
    private final Clock clock;
    private final LocalEndpoint endpoint = LocalEndpoint.start();
    private volatile EcsSimulator simulator;

    private SimulatedEcs(Emulator emulator, Clock clock) {
        this.emulator = emulator;
        this.clock = clock;
        endpoint.forwardTo(emulator.endpoint());
        renew();
        endpoint.route(request -> simulator.handle(request));
    }

    private static SimulatedEcs shared;

    /** In front of {@code emulator}. */
    public static SimulatedEcs before(Emulator emulator) {
        return new SimulatedEcs(emulator, null);
    }

    /**
     * In front of {@code emulator}, its fleet on {@code clock}: a test that moves the clock it gives the handlers
     * sees the rollout move with it, as the local runtime's one clock does.
     */
    public static SimulatedEcs before(Emulator emulator, Clock clock) {
        return new SimulatedEcs(emulator, clock);
    }

    /**
     * The one front of this JVM, in front of {@code emulator} (the JVM's one emulator), with a new fleet: for tests whose
     * handlers use the functions' shared SDK clients, which keep the endpoint they were first used with. Call it after
     * the emulator was reset (at the start of a test).
     */
    public static synchronized SimulatedEcs shared(Emulator emulator) {
        if (shared == null) {
            shared = before(emulator);
        }
        shared.renew();
        return shared;
    }

    /** The emulator as reached through this front: the clients it builds (and a World made with it) call the simulator. */
    public Emulator emulator() {
        return emulator.through(endpoint.uri());
    }

    public EcsSimulator simulator() {
        return simulator;
    }

    /** A new simulated fleet, frozen now (or on the front's clock), knowing nothing yet (after the emulator was reset). */
    public void renew() {
        simulator = new EcsSimulator(endpoint, clock != null ? clock : Clock.fixed(Instant.now(), ZoneOffset.UTC));
    }

    /** A route asked before the simulator. */
    public void routeFirst(Route route) {
        endpoint.routeFirst(route);
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
