package dev.pushdeploy.ledger;

import java.util.List;
import java.util.Optional;

class InMemoryKeptImagesTest extends KeptImagesContract {
    private final InMemoryKeptImages images = new InMemoryKeptImages();
    private int pushes;

    @Override
    protected KeptImages subject() {
        return images;
    }

    @Override
    protected void createRepository(String name) {
        // a repository exists once an image is pushed to it
    }

    @Override
    protected String push(String repository, String tag) {
        String digest = "sha256:" + "%064d".formatted(++pushes);
        images.push(repository, digest, tag);
        return digest;
    }

    @Override
    protected String pushIndex(String repository, String tag) {
        push(repository, null);
        return push(repository, tag);
    }

    @Override
    protected Optional<List<String>> tags(String repository, String digest) {
        return images.tags(repository, digest);
    }
}
