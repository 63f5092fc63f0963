package dev.pushdeploy.request;

import java.util.List;

/** Whether Parameter Store still holds the slot parameters a revision's secrets name (no value is read). */
@FunctionalInterface
public interface SlotParameters {
    /** The names among {@code names} Parameter Store holds no parameter of, in their order. */
    List<String> absent(List<String> names);
}
