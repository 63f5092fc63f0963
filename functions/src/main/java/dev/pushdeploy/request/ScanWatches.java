package dev.pushdeploy.request;

import java.util.List;

/** Where a workflow waiting for a scan leaves its task token, one per image and service, found by the image's repository. */
public interface ScanWatches {
    /** Records the watch, replacing an earlier one of the same image and service. */
    void register(ScanWatch watch);

    /**
     * The watches waiting for a scan of an image of {@code repository}: a scan event names the image scanned, which for
     * a run waiting on an image index is one of the index's platform images, so every waiting run looks again.
     */
    List<ScanWatch> find(String repository);

    /** Removes the watch if it still holds its token. */
    void remove(ScanWatch watch);

    /**
     * Counts one more resume of the watch's run by a scan event whose look could not read the scan, unless the run has had
     * {@code max} already: whether it was counted.
     */
    boolean countResume(ScanWatch watch, int max);
}
