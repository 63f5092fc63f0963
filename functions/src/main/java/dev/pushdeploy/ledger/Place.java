package dev.pushdeploy.ledger;

import java.util.Comparator;

/**
 * A request's place in the total order that decides "the newest wins": first {@code orderAt} (push time
 * for ECR pushes, arrival time for manual requests, in whole seconds), then the arrival sequence the ledger hands out
 * (requests within the same second are ordered by arrival), then the request id (never needed while
 * arrivals are unique; it keeps the order total).
 */
public record Place(long orderAt, long arrival, String requestId) implements Comparable<Place> {
    private static final Comparator<Place> ORDER = Comparator.comparingLong(Place::orderAt)
            .thenComparingLong(Place::arrival)
            .thenComparing(Place::requestId);

    @Override
    public int compareTo(Place other) {
        return ORDER.compare(this, other);
    }

    public boolean after(Place other) {
        return compareTo(other) > 0;
    }
}
