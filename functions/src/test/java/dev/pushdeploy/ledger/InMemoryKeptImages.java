package dev.pushdeploy.ledger;

import dev.pushdeploy.error.AwsFailureException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Repositories in memory, each image's tags by digest, as ECR keeps and takes off tags; {@link #failing} makes every call fail. */
final class InMemoryKeptImages implements KeptImages {
    private final Map<String, Map<String, List<String>>> repositories = new LinkedHashMap<>();
    volatile boolean failing;

    synchronized void push(String repository, String digest, String tag) {
        List<String> tags = repositories.computeIfAbsent(repository, r -> new LinkedHashMap<>()).computeIfAbsent(digest, d -> new ArrayList<>());
        if (tag != null && !tags.contains(tag)) {
            tags.add(tag);
        }
    }

    /** The image's tags; empty when the repository does not hold it. */
    synchronized Optional<List<String>> tags(String repository, String digest) {
        return Optional.ofNullable(repositories.getOrDefault(repository, Map.of()).get(digest)).map(List::copyOf);
    }

    @Override
    public synchronized boolean keep(String repository, String digest, String tag) {
        fail();
        List<String> tags = repositories.getOrDefault(repository, Map.of()).get(digest);
        if (tags == null) {
            return false;
        }
        if (!tags.contains(tag)) {
            tags.add(tag);
        }
        return true;
    }

    @Override
    public synchronized boolean letGo(String repository, String tag) {
        fail();
        for (List<String> tags : repositories.getOrDefault(repository, Map.of()).values()) {
            if (tags.contains(tag)) {
                return tags.size() > 1 && tags.remove(tag);
            }
        }
        return false;
    }

    private void fail() {
        if (failing) {
            throw new AwsFailureException("ecr:PutImage failed: AccessDeniedException: not allowed", null);
        }
    }
}
