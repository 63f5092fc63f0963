package dev.pushdeploy.ledger;

import java.util.Optional;

/** The releases' own records in the ledger table ({@code rel#<release>} / {@code release}). Every write is safe to repeat. */
public interface ReleaseRecords {
    Optional<ReleaseRecord> release(String release);

    /** Writes the record unless the release has one; false when it had. */
    boolean putRelease(ReleaseRecord record);

    /** As {@link LedgerTable#setPublished}, for a release's record: false when the flag already had the value or there is no record. */
    boolean setReleasePublished(String release, boolean published);
}
