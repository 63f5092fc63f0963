package dev.pushdeploy.adapter.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pushdeploy.error.ConfigurationException;
import dev.pushdeploy.ledger.MutableClock;
import dev.pushdeploy.testing.SampleStack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterResponse;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/** The configuration reaches warm functions within the TTL, and is read at most once per TTL. */
class SsmConfigSourceTest {
    /** Parameter Store holding one document that the test redeploys. */
    static final class FakeSsm implements SsmClient {
        String document = SampleStack.configDocument(null);
        final List<String> reads = new ArrayList<>();

        @Override
        public GetParameterResponse getParameter(GetParameterRequest request) {
            reads.add(request.name());
            if (document == null) {
                throw ParameterNotFoundException.builder().message("ParameterNotFound").build();
            }
            return GetParameterResponse.builder().parameter(p -> p.name(request.name()).value(document)).build();
        }

        @Override
        public String serviceName() {
            return "ssm";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aRedeployedConfigurationIsSeenWithinTheTtlAndNotBefore() {
        FakeSsm ssm = new FakeSsm();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        SsmConfigSource source = new SsmConfigSource(ssm, SampleStack.CONFIG_PARAMETER, clock);
        assertEquals(3, source.load().targets().get(0).keepRevisions());

        ssm.document = SampleStack.configDocument(null).replace("\"keepRevisions\": 3", "\"keepRevisions\": 7");
        clock.advance(Duration.ofSeconds(59));
        assertEquals(3, source.load().targets().get(0).keepRevisions(), "cached within the TTL");
        assertEquals(1, ssm.reads.size());

        clock.advance(Duration.ofSeconds(1));
        assertEquals(7, source.load().targets().get(0).keepRevisions(), "read again once the TTL has passed");
        assertEquals(List.of(SampleStack.CONFIG_PARAMETER, SampleStack.CONFIG_PARAMETER), ssm.reads);
    }

    @Test
    void aFailedReadIsNotCached() {
        FakeSsm ssm = new FakeSsm();
        ssm.document = null;
        SsmConfigSource source = new SsmConfigSource(ssm, SampleStack.CONFIG_PARAMETER,
                new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));
        assertThrows(ConfigurationException.class, source::load);

        ssm.document = SampleStack.configDocument(null);
        assertEquals(3, source.load().targets().get(0).keepRevisions());
        assertEquals(2, ssm.reads.size());
    }
}
