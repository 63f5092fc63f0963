package dev.pushdeploy.cli;

import dev.pushdeploy.ops.Operator;
import dev.pushdeploy.config.Target;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The IMAGE of {@code deploy} and {@code diff} (a picocli mixin): its form checked before anything starts. */
final class ImageArgument {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Parameters(paramLabel = "IMAGE", description = "v1.2.0, sha256:<64 hex>, web:v1.2.0, web@sha256:..., or the full repository URI with either.")
    String image;

    /** Fails naming IMAGE when it is empty or neither a tag nor a digest. */
    void check() {
        if (image.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "IMAGE is empty");
        }
        Arguments.image(spec, image, "repository");
    }

    /**
     * The image reference in the target's repository (a bare tag or digest is of it); refused when it names another
     * repository, or a registry other than the pipeline's own.
     */
    String reference(Target target, Operator operator) {
        String reference = Arguments.image(spec, image, target.repository());
        Arguments.ownImage(spec, reference, target.repository(), target.serviceKey(), Arguments.own(operator.pipeline()));
        return reference;
    }
}
