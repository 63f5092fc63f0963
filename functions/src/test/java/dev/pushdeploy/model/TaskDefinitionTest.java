package dev.pushdeploy.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TaskDefinitionTest {
    static final String DIGEST = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    @ParameterizedTest(name = "{0} of {1}: {2}")
    @CsvSource(nullValues = "none", value = {
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@" + DIGEST + ",      web,      true",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web@" + DIGEST + ", team/web, true",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web@" + DIGEST + ", web,      false",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web-api@" + DIGEST + ",  web,      false",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1.0.0,              web,      false",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:bootstrap,           web,      false",
        "ghcr.io/acme/web@" + DIGEST + ",                                      acme/web, false",
        "web@" + DIGEST + ",                                                   web,      false",
        "none,                                                                 web,      false"})
    void aReleaseOfARepositoryIsPinnedByDigestInThatEcrRepository(String image, String repository, boolean expected) {
        assertEquals(expected, TaskDefinition.Container.releaseOf(image, repository));
    }
}
