package dev.pushdeploy.ledger;

/**
 * The tags that keep a service's images from its repository's lifecycle policy: each revision the service went
 * live on tags its image {@code pushdeploy-<family>-<revision>}, and the template's policy expires no image a tag
 * of that pattern names (its rule of the highest priority selects them: no rule after it may expire them). The tag
 * goes when its revision is deregistered. Pushes of such tags deploy nothing.
 */
public interface KeptImages {
    /** What every keep tag starts with. */
    String PREFIX = "pushdeploy-";
    /** Longest family a keep tag spells out whole (ECR's tags have at most 128 characters). */
    int FAMILY_MAX = 100;

    /**
     * Tags the image {@code digest} of {@code repository} with {@code tag}. False when the repository holds no
     * such image (nothing is changed); true once the image carries the tag, also when it did before.
     */
    boolean keep(String repository, String digest, String tag);

    /**
     * Takes {@code tag} off its image, only while another tag still names that image (in ECR, removing an image's
     * last tag deletes the image). False when nothing was taken off.
     */
    boolean letGo(String repository, String tag);

    /** The keep tag of revision {@code family:revision}. */
    static String tag(String family, int revision) {
        return PREFIX + (family.length() <= FAMILY_MAX ? family : family.substring(0, FAMILY_MAX)) + "-" + revision;
    }

    /** Whether a pushed tag is one of the pipeline's keep tags (such a push deploys nothing). */
    static boolean isKeepTag(String tag) {
        return tag != null && tag.startsWith(PREFIX);
    }
}
