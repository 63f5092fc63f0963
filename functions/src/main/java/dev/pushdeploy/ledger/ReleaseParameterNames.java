package dev.pushdeploy.ledger;

/**
 * Where a service's release is kept in Parameter Store, the names the stack's release stacks read:
 * {@code <prefix>/<cluster>/<service>/image} and {@code …/secret/<NAME>} for each managed secret.
 */
public record ReleaseParameterNames(String prefix, String cluster, String service) {
    public String image() {
        return base() + "/image";
    }

    public String secret(String name) {
        return base() + "/secret/" + name;
    }

    private String base() {
        return prefix + "/" + cluster + "/" + service;
    }
}
