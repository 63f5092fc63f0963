package dev.pushdeploy.model;

/** The scan gate's answer. */
public enum ScanStatus {
    /** The scan completed without findings at or above the configured severity (or no gate is configured). */
    PASSED,
    /** No completed scan yet: the workflow waits for the scan's event, at most {@code recheckSeconds}, and asks again. */
    PENDING,
    /** Blocking findings, or the scan itself failed: the request ends REJECTED. */
    FAILED,
    /** No scan result by the gate's deadline: the request ends FAILED. */
    TIMED_OUT
}
