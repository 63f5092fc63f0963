package dev.pushdeploy.ledger;

import java.util.Optional;

/** The String parameters through which the stack reads what the pipeline made live (docs/design.md, "The stack and the pipeline"). */
public interface ReleaseParameters {
    Optional<String> read(String name);

    /** Creates or overwrites a String parameter. */
    void write(String name, String value);

    /** Creates a String parameter unless it exists (an existing one keeps its value); whether it was created. */
    boolean createIfAbsent(String name, String value);
}
