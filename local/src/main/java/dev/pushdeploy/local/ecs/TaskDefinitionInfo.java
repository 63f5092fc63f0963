package dev.pushdeploy.local.ecs;

import java.util.List;

/** What the simulator needs of a registered task definition: its containers and size. */
record TaskDefinitionInfo(String arn, String cpu, String memory, List<Container> containers) {
    TaskDefinitionInfo {
        containers = List.copyOf(containers);
    }

    /** The digest part of each container image that is pinned by digest. */
    List<String> digests() {
        return containers.stream().map(Container::image)
                .filter(i -> i != null && i.contains("@"))
                .map(i -> i.substring(i.indexOf('@') + 1))
                .toList();
    }

    record Container(String name, String image, boolean essential) {
    }
}
