package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Action;

/**
 * A request queued for a service's lock ({@code svc#…} / {@code wait#<requestId>}).
 *
 * @param orderAt      epoch millis that orders requests (see {@link LockItem#orderAt()}); kept from the first registration
 * @param registeredAt epoch millis of the first registration; breaks ties between duplicates
 * @param expiresAt    epoch seconds (TTL), refreshed each time the request asks for the lock again
 */
public record WaiterItem(String requestId, Action action, String digest, String image, long orderAt, long registeredAt, long expiresAt) {
    public boolean expired(long nowSeconds) {
        return expiresAt < nowSeconds;
    }

    /** Whether this waiter came first (earlier registration, then the smaller request id). */
    public boolean precedes(WaiterItem other) {
        return registeredAt != other.registeredAt ? registeredAt < other.registeredAt : requestId.compareTo(other.requestId) < 0;
    }
}
