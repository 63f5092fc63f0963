package dev.pushdeploy.ledger;

import java.util.Optional;

/** The String parameters through which the stack reads what the pipeline made live (DESIGN 3.4). */
public interface ReleaseParameters {
    Optional<String> read(String name);

    /** Creates or overwrites a String parameter. */
    void write(String name, String value);
}
