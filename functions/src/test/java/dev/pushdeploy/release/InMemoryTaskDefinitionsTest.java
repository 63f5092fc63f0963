package dev.pushdeploy.release;

import java.util.Map;

class InMemoryTaskDefinitionsTest extends TaskDefinitionsContract {
    private final InMemoryTaskDefinitions fake = new InMemoryTaskDefinitions();

    @Override
    protected TaskDefinitions subject() {
        return fake;
    }

    @Override
    protected String seed(String family, String container, String image, Map<String, String> secrets) {
        return fake.add(family, container, image, secrets);
    }

    @Override
    protected void delete(String arn) {
        fake.forget(arn);
    }
}
