package dev.pushdeploy.request;

import java.util.Map;
import java.util.Optional;

/** The ECR scan read the scan gate needs. */
public interface ScanFindings {
    /** The latest scan of an image, or empty when no scan of it exists (yet). */
    Optional<ScanReport> scan(String repository, String digest);

    /**
     * @param status        ECR's imageScanStatus (COMPLETE, IN_PROGRESS, FAILED, ACTIVE, …)
     * @param severityCounts findingSeverityCounts (CRITICAL, HIGH, …); empty while no findings exist
     */
    record ScanReport(String status, String description, Map<String, Integer> severityCounts) {
        public ScanReport {
            severityCounts = severityCounts == null ? Map.of() : Map.copyOf(severityCounts);
        }
    }
}
