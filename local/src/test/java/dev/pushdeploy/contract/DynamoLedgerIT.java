package dev.pushdeploy.contract;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pushdeploy.adapter.aws.DynamoLedger;
import dev.pushdeploy.ledger.HistoryItem;
import dev.pushdeploy.ledger.LedgerTable;
import dev.pushdeploy.ledger.LedgerTableContract;
import dev.pushdeploy.model.Action;
import dev.pushdeploy.model.Outcome;
import dev.pushdeploy.testing.Emulator;
import dev.pushdeploy.testing.EmulatorExtension;
import dev.pushdeploy.testing.World;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/** The ledger contract against the DynamoDB adapter on the emulator. */
@ExtendWith(EmulatorExtension.class)
class DynamoLedgerIT extends LedgerTableContract {
    World world;

    @BeforeEach
    void createStack(Emulator emulator) {
        world = World.create(emulator);
    }

    @Override
    protected LedgerTable subject() {
        return new DynamoLedger(world.dynamo, World.TABLE);
    }

    /**
     * The SDK sends a request again when its answer does not come back (a timeout, a throttled or 5xx answer), also
     * when the write it asked for had landed. A claim of a record's notification sent twice so is still this closer's
     * claim: before, the second sending failed the condition the first had made true, the closer read "claimed
     * already" and nobody sent the notification (the record said published).
     */
    @Test
    void aClaimSentAgainAfterItsAnswerWasLostIsStillTheClaim() {
        HistoryItem item = history("a", Action.DEPLOY, Outcome.SUCCEEDED, 1, "web:1", "web:2");
        assertTrue(subject().putHistory(KEY, item));
        DynamoDbClient sentTwice = (DynamoDbClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DynamoDbClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("updateItem") && args != null && args[0] instanceof UpdateItemRequest request) {
                        world.dynamo.updateItem(request); // landed, its answer lost
                        return world.dynamo.updateItem(request);
                    }
                    if (method.isDefault()) {
                        return InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    return method.invoke(world.dynamo, args);
                });
        LedgerTable ledger = new DynamoLedger(sentTwice, World.TABLE);

        assertTrue(ledger.setPublished(KEY, item.sortKey(), true), "the claim is this closer's, whatever the SDK sent again");
        assertFalse(subject().setPublished(KEY, item.sortKey(), true), "another closer's claim still fails");
        ledger.setPublished(KEY, item.sortKey(), false);
        assertFalse(subject().history(KEY, item.sortKey()).orElseThrow().published(), "given back, sent twice too");
        assertTrue(subject().setPublished(KEY, item.sortKey(), true), "claimable again once given back");
    }
}
