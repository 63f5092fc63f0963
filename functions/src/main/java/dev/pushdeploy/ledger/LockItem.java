package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Action;

/**
 * The one-deployment-per-service lock ({@code svc#<cluster>/<service>} / {@code lock}).
 *
 * @param executionArn the holder's execution, asked whether it still runs before a waiter takes over
 * @param orderAt    epoch millis that orders requests, in whole seconds: the push time of ECR pushes, the arrival time of manual ones
 * @param arrival    the holder's place in the service's arrival sequence; breaks ties of {@code orderAt}
 * @param acquiredAt epoch millis
 * @param expiresAt  epoch seconds (the table's TTL attribute): the lease, renewed while the holder makes progress;
 *                   an expired lock is free even before DynamoDB deletes it
 * @param closing    the reconciler took the holder's ended run over: the holder's own steps no longer move the
 *                   service under it, and the reconciler releases it
 * @param kept       the reconciler keeps it for the ended run until {@code expiresAt}, when a step of the run may still
 *                   write: nobody releases it before then (a redriven execution of the run neither)
 */
public record LockItem(String holder, String executionArn, Action action, String digest, String image, long orderAt, long arrival,
                       long acquiredAt, long expiresAt, boolean closing, boolean kept) {
    public LockItem(String holder, String executionArn, Action action, String digest, String image, long orderAt, long arrival,
                    long acquiredAt, long expiresAt) {
        this(holder, executionArn, action, digest, image, orderAt, arrival, acquiredAt, expiresAt, false);
    }

    public LockItem(String holder, String executionArn, Action action, String digest, String image, long orderAt, long arrival,
                    long acquiredAt, long expiresAt, boolean closing) {
        this(holder, executionArn, action, digest, image, orderAt, arrival, acquiredAt, expiresAt, closing, false);
    }

    public boolean expired(long nowSeconds) {
        return expiresAt < nowSeconds;
    }

    /** This holder's place in the total order of requests. */
    public Place place() {
        return new Place(orderAt, arrival, holder);
    }
}
