package dev.pushdeploy.request;

import dev.pushdeploy.error.InvalidRequestException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image reference from a manual input: {@code [<registry>/]<repository>} followed by either
 * {@code @sha256:<64 hex>} or {@code :<tag>}.
 *
 * @param registry null for a bare repository name
 */
public record ImageRef(String registry, String repository, String tag, String digest) {
    static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    /** ECR / OCI tag grammar. */
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** A private ECR registry: {@code <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]}. */
    private static final Pattern ECR_HOST = Pattern.compile("(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");

    public static ImageRef parse(String text, String field) {
        String rest = text;
        String digest = null;
        String tag = null;
        String registry = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            requireDigest(digest, field);
        }
        int slash = rest.indexOf('/');
        if (slash > 0 && (rest.substring(0, slash).contains(".") || rest.substring(0, slash).contains(":"))) {
            registry = rest.substring(0, slash);
            rest = rest.substring(slash + 1);
        }
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            requireTag(tag, field);
        }
        if (rest.isEmpty()) {
            throw new InvalidRequestException(field, "'" + text + "' names no repository");
        }
        if (digest == null && tag == null) {
            throw new InvalidRequestException(field, "'" + text + "' needs a digest (<repository>@sha256:<64 hex>) or a tag (<repository>:<tag>)");
        }
        if (digest != null && tag != null) {
            throw new InvalidRequestException(field, "'" + text + "' gives both a tag and a digest; give one");
        }
        return new ImageRef(registry, rest, tag, digest);
    }

    public static void requireDigest(String digest, String field) {
        if (!DIGEST.matcher(digest).matches()) {
            throw new InvalidRequestException(field, "digest '" + digest + "' must be sha256: followed by 64 lowercase hex characters");
        }
    }

    public static void requireTag(String tag, String field) {
        if (!TAG.matcher(tag).matches()) {
            throw new InvalidRequestException(field, "tag '" + tag + "' is not a valid image tag");
        }
    }

    /**
     * The image of a private ECR repository in {@code account} and {@code region} that a task definition's reference
     * names; empty for any other registry's image or a reference of no such form.
     */
    static Optional<ImageRef> ofEcr(String image, String account, String region) {
        ImageRef ref;
        try {
            ref = image == null ? null : parse(image, "image");
        } catch (InvalidRequestException e) {
            return Optional.empty();
        }
        Matcher host = ref == null || ref.registry() == null ? null : ECR_HOST.matcher(ref.registry());
        return host != null && host.matches() && host.group(1).equals(account) && host.group(2).equals(region)
                ? Optional.of(ref) : Optional.empty();
    }

    /** The reference ECR looks the image up by: its digest, else its tag. */
    String reference() {
        return digest != null ? digest : tag;
    }

    /** The digest an image reference pins ({@code …@sha256:…}), or null when it has none. */
    static String digestOf(String image) {
        if (image == null) {
            return null;
        }
        int at = image.lastIndexOf('@');
        if (at < 0) {
            return null;
        }
        String digest = image.substring(at + 1);
        return DIGEST.matcher(digest).matches() ? digest : null;
    }
}
