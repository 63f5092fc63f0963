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
 */
public record Strategy(Type type, String testUrl, String testHeader, String testHeaderValue) {
    public static final Strategy ROLLING = new Strategy(Type.ROLLING, null, null, null);

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
