package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Action;

/**
 * A request queued for a service's lock ({@code svc#…} / {@code wait#<requestId>}).
 *
 * @param orderAt      epoch millis that orders requests (see {@link LockItem#orderAt()}); kept from the first registration
 * @param arrival      the request's place in the service's arrival sequence, taken at its first registration
 * @param registeredAt epoch millis of the first registration: when the request started waiting
 * @param expiresAt    epoch seconds (TTL), refreshed each time the request asks for the lock again; a waiter that
 *                     stops asking stops counting soon after
 * @param turnToken    the task token of the workflow's wait for its turn (WaitForLock), set while it waits; null before
 * @param live         the service's live revision when the request was first prepared, kept from the first registration
 *                     (a rollback to "previous" that waited goes back only from that revision); null when unknown
 */
public record WaiterItem(String requestId, Action action, String digest, String image, long orderAt, long arrival,
                         long registeredAt, long expiresAt, String turnToken, String live) {
    public WaiterItem(String requestId, Action action, String digest, String image, long orderAt, long arrival,
                      long registeredAt, long expiresAt, String turnToken) {
        this(requestId, action, digest, image, orderAt, arrival, registeredAt, expiresAt, turnToken, null);
    }

    public WaiterItem(String requestId, Action action, String digest, String image, long orderAt, long arrival,
                      long registeredAt, long expiresAt) {
        this(requestId, action, digest, image, orderAt, arrival, registeredAt, expiresAt, null);
    }

    public boolean expired(long nowSeconds) {
        return expiresAt < nowSeconds;
    }

    /** This waiter's place in the total order of requests. */
    public Place place() {
        return new Place(orderAt, arrival, requestId);
    }
}
