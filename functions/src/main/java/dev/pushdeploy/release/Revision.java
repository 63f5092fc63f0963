package dev.pushdeploy.release;

import java.util.List;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/** A task definition revision as DescribeTaskDefinition (include TAGS) returns it. */
public record Revision(TaskDefinition definition, List<Tag> tags) {
    public Revision {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** The value of tag {@code key}, or null. */
    public String tag(String key) {
        return tags.stream().filter(t -> key.equals(t.key())).map(Tag::value).findFirst().orElse(null);
    }
}
