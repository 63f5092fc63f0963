package dev.pushdeploy.request;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ECR scan read the scan gate needs. */
public interface ScanFindings {
    /** The latest scan of an image, or empty when no scan of it exists (yet). */
    Optional<ScanReport> scan(String repository, String digest);

    /**
     * The digests of the platform images an image index (or a Docker manifest list) refers to, attestation manifests
     * left out; empty when {@code digest} is an image of its own or not found. ECR scans those images and never the
     * index itself, which a multi-platform build pushes (and buildx by default for one platform too, with its
     * provenance attestation).
     */
    List<String> platformImages(String repository, String digest);

    /**
     * @param status        ECR's imageScanStatus (COMPLETE, IN_PROGRESS, FAILED, ACTIVE, …)
     * @param severityCounts findingSeverityCounts (CRITICAL, HIGH, …); empty while no findings exist
     */
    record ScanReport(String status, String description, Map<String, Integer> severityCounts) {
        /** Not ECR's: the image is gone (DescribeImageScanFindings answered ImageNotFoundException), a final answer. */
        public static final String IMAGE_NOT_FOUND = "IMAGE_NOT_FOUND";

        public ScanReport {
            severityCounts = severityCounts == null ? Map.of() : Map.copyOf(severityCounts);
        }
    }
}
