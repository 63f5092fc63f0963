package dev.pushdeploy.model;

import java.util.Map;

/**
 * Output of the scan gate ({@code $.scan}).
 *
 * @param findingCounts   ECR's finding counts per severity (all severities, not only blocking ones)
 * @param recheckSeconds  for PENDING, how long the workflow waits for a scan event before it asks again; 0 otherwise
 */
public record ScanResult(ScanStatus status, String reason, Map<String, Integer> findingCounts, int recheckSeconds) {
    public ScanResult {
        findingCounts = findingCounts == null ? Map.of() : Map.copyOf(findingCounts);
    }
}
