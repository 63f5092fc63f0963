package dev.pushdeploy.local.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ThrottlingTest {
    @Test
    void theFirstAttemptsOfEveryCallAreThrottledAndTheRetriesGoThrough() {
        Throttling throttling = new Throttling(1, 0);
        assertTrue(throttling.throttle("call-1", "attempt=1; max=4"));
        assertFalse(throttling.throttle("call-1", "attempt=2; max=4"));
        assertTrue(throttling.throttle("call-2", "attempt=1; max=4"));
        assertFalse(throttling.throttle("call-2", "attempt=2; max=4"));
        assertEquals(2, throttling.throttled());
    }

    @Test
    void everyNthCallIsThrottledOnAllItsAttempts() {
        Throttling throttling = new Throttling(0, 3);
        assertFalse(throttling.throttle("a", "attempt=1"));
        assertFalse(throttling.throttle("b", "attempt=1"));
        for (int attempt = 1; attempt <= 4; attempt++) {
            assertTrue(throttling.throttle("c", "attempt=" + attempt));
        }
        assertFalse(throttling.throttle("d", "attempt=1"));
    }

    @Test
    void anOutageThrottlesEveryAttemptOfTheFirstCallsOfOneActionThenClears() {
        Throttling outage = Throttling.outage("ListTasks", 2);
        assertFalse(outage.throttle("DescribeServices", "a", "attempt=1"));
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertTrue(outage.throttle("ListTasks", "b", "attempt=" + attempt));
        }
        assertTrue(outage.throttle("ListTasks", "c", "attempt=1"));
        assertFalse(outage.throttle("ListTasks", "d", "attempt=1"));
        assertEquals(4, outage.throttled());
    }

    @Test
    void anOutageMayStartAfterSomeCallsOfTheAction() {
        Throttling outage = Throttling.outage("UpdateService", 1, 2);
        assertFalse(outage.throttle("UpdateService", "a", "attempt=1"));
        assertTrue(outage.throttle("UpdateService", "b", "attempt=1"));
        assertTrue(outage.throttle("UpdateService", "b", "attempt=2"));
        assertTrue(outage.throttle("UpdateService", "c", "attempt=1"));
        assertFalse(outage.throttle("UpdateService", "d", "attempt=1"));
        assertEquals(3, outage.throttled());
    }

    @Test
    void someCallsOfOneActionAreThrottledOnEveryAttempt() {
        Throttling some = Throttling.calls("DescribeImageScanFindings", 2, 4);
        assertFalse(some.throttle("DescribeImageScanFindings", "a", "attempt=1"));
        assertFalse(some.throttle("BatchGetImage", "x", "attempt=1"));
        assertTrue(some.throttle("DescribeImageScanFindings", "b", "attempt=1"));
        assertTrue(some.throttle("DescribeImageScanFindings", "b", "attempt=2"));
        assertFalse(some.throttle("DescribeImageScanFindings", "c", "attempt=1"));
        assertTrue(some.throttle("DescribeImageScanFindings", "d", "attempt=1"));
        assertFalse(some.throttle("DescribeImageScanFindings", "e", "attempt=1"));
        assertEquals(3, some.throttled());
    }

    @Test
    void offThrottlesNothing() {
        Throttling off = Throttling.off();
        for (int i = 0; i < 20; i++) {
            assertFalse(off.throttle("call-" + i, "attempt=1"));
        }
        assertEquals(0, off.throttled());
    }
}
