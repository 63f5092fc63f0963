package dev.pushdeploy.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A task definition revision as the pipeline reads it: what every step and the local simulator
 * need of ECS's DescribeTaskDefinition (with its tags). Maps keep definition order.
 *
 * @param arn    the full task definition ARN
 * @param active whether the revision is ACTIVE (false once deregistered)
 * @param cpu    task-level CPU units, as ECS gives them ("256"), or null
 * @param memory task-level memory in MiB, as ECS gives it ("512"), or null
 * @param tags   the revision's resource tags
 */
public record TaskDefinition(String arn, String family, int revision, boolean active, String cpu, String memory,
                             List<Container> containers, Map<String, String> tags) {
    public TaskDefinition {
        containers = containers == null ? List.of() : List.copyOf(containers);
        tags = ordered(tags);
    }

    public Optional<Container> container(String name) {
        return containers.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** {@code family:revision}. */
    public String shortName() {
        return family + ":" + revision;
    }

    /** This revision, INACTIVE. */
    public TaskDefinition deregistered() {
        return new TaskDefinition(arn, family, revision, false, cpu, memory, containers, tags);
    }

    /**
     * One container definition.
     *
     * @param environment plain environment variables, name → value
     * @param secrets     secret environment variables, name → valueFrom (an SSM parameter name or ARN)
     */
    public record Container(String name, String image, boolean essential, Map<String, String> environment,
                            Map<String, String> secrets) {
        private static final Pattern PINNED = Pattern.compile("[^@\\s]+@sha256:[0-9a-f]{64}");

        public Container {
            environment = ordered(environment);
            secrets = ordered(secrets);
        }

        /**
         * Whether the container runs a release: its image is pinned by digest ({@code <repository>@sha256:<64 hex>}),
         * as every revision the pipeline registers and every one the stack registers from the release parameters;
         * the stack's bootstrap revision ({@code <repository>:bootstrap}, before the first release) is not.
         */
        public boolean released() {
            return released(image);
        }

        /**
         * The secret slots a release reads (name → valueFrom): its secrets, or none before the first
         * release (the bootstrap revision names the slots the first release writes; no task reads them).
         */
        public Map<String, String> liveSecrets() {
            return released() ? secrets : Map.of();
        }

        /** Whether an image reference is a release's: pinned by digest (see {@link #released()}). */
        public static boolean released(String image) {
            return image != null && PINNED.matcher(image).matches();
        }

        /** Whether an image reference is a release of ECR repository {@code repository}: {@code <account>.dkr.ecr.<region>….com/<repository>@sha256:…}. */
        public static boolean releaseOf(String image, String repository) {
            int slash = image == null ? -1 : image.indexOf('/');
            return slash > 0 && released(image) && image.substring(0, slash).contains(".dkr.ecr.")
                    && image.startsWith(repository + "@", slash + 1);
        }
    }

    private static Map<String, String> ordered(Map<String, String> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
