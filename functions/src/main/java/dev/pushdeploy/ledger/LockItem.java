package dev.pushdeploy.ledger;

import dev.pushdeploy.model.Action;

/**
 * The one-deployment-per-service lock ({@code svc#<cluster>/<service>} / {@code lock}).
 *
 * @param orderAt    epoch millis that orders requests: the push time of ECR pushes, the arrival time of manual ones
 * @param acquiredAt epoch millis
 * @param expiresAt  epoch seconds (the table's TTL attribute); an expired lock is free even before DynamoDB deletes it
 */
public record LockItem(String holder, Action action, String digest, String image, long orderAt, long acquiredAt, long expiresAt) {
    public boolean expired(long nowSeconds) {
        return expiresAt < nowSeconds;
    }
}
