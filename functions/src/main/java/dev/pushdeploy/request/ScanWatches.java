package dev.pushdeploy.request;

import java.util.List;

/** Where a workflow waiting for a scan leaves its task token, one per image and service. */
public interface ScanWatches {
    /** Records the watch, replacing an earlier one of the same image and service. */
    void register(ScanWatch watch);

    /** The watches waiting for the scan of {@code repository@digest}. */
    List<ScanWatch> find(String repository, String digest);

    /** Removes the watch if it still holds its token. */
    void remove(ScanWatch watch);
}
