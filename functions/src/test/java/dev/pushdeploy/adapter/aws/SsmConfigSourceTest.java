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
import software.amazon.awssdk.services.ssm.model.ParameterVersionNotFoundException;

/** The configuration reaches warm functions within the TTL, and is read at most once per TTL. */
class SsmConfigSourceTest {
    /** Parameter Store holding one document that the test redeploys; with {@link #put} it keeps versions, as SSM does. */
    static final class FakeSsm implements SsmClient {
        String document = SampleStack.configDocument(null);
        final List<String> versions = new ArrayList<>();
        final List<String> reads = new ArrayList<>();

        void put(String value) {
            versions.add(value);
        }

        @Override
        public GetParameterResponse getParameter(GetParameterRequest request) {
            reads.add(request.name());
            if (!versions.isEmpty()) {
                int colon = request.name().lastIndexOf(':');
                long version = colon < 0 ? versions.size() : Long.parseLong(request.name().substring(colon + 1));
                if (version < 1 || version > versions.size()) {
                    throw ParameterVersionNotFoundException.builder().message("Systems Manager could not find version " + version).build();
                }
                return GetParameterResponse.builder().parameter(p -> p.name(request.name()).value(versions.get((int) version - 1))
                        .version(version)).build();
            }
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

    @Test
    void aRunReadsTheVersionItWasPreparedWithWhateverTheCurrentOneIs() {
        FakeSsm ssm = new FakeSsm();
        ssm.put(SampleStack.configDocument(null));
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        SsmConfigSource prepared = new SsmConfigSource(ssm, SampleStack.CONFIG_PARAMETER, new MutableClock(start));
        assertEquals(1L, prepared.load().version());

        ssm.put("{\"targets\": [");
        assertEquals(3, prepared.load(1L).targets().get(0).keepRevisions(), "the version read is kept");
        assertEquals(List.of(SampleStack.CONFIG_PARAMETER), ssm.reads);

        SsmConfigSource cold = new SsmConfigSource(ssm, SampleStack.CONFIG_PARAMETER, new MutableClock(start));
        assertEquals(1L, cold.load(1L).version());
        assertEquals(1L, cold.load(1L).version());
        assertEquals(List.of(SampleStack.CONFIG_PARAMETER, SampleStack.CONFIG_PARAMETER, SampleStack.CONFIG_PARAMETER + ":1"), ssm.reads,
                "the current document first (broken, so not the run's), then by SSM's version selector, once");
        assertThrows(ConfigurationException.class, () -> cold.load(null), "null: the current document, the broken one");
    }

    @Test
    void aVersionSsmNoLongerKeepsReadsAsTheCurrentDocument() {
        FakeSsm ssm = new FakeSsm();
        ssm.put(SampleStack.configDocument(null).replace("\"keepRevisions\": 3", "\"keepRevisions\": 7"));
        SsmConfigSource source = new SsmConfigSource(ssm, SampleStack.CONFIG_PARAMETER,
                new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));

        assertEquals(7, source.load(99L).targets().get(0).keepRevisions());
        assertEquals(1L, source.load(99L).version());
        assertEquals(List.of(SampleStack.CONFIG_PARAMETER, SampleStack.CONFIG_PARAMETER + ":99", SampleStack.CONFIG_PARAMETER + ":99"),
                ssm.reads, "the current document once (kept for the TTL), the version each time");
    }

    @Test
    void aStepThatReadsItsRunsVersionAndTheCurrentOneReadsOnceWhenTheyAreTheSame() {
        FakeSsm ssm = new FakeSsm();
        ssm.put(SampleStack.configDocument(null));
        ssm.put(SampleStack.configDocument(null).replace("\"keepRevisions\": 3", "\"keepRevisions\": 7"));
        SsmConfigSource source = new SsmConfigSource(ssm, SampleStack.CONFIG_PARAMETER,
                new MutableClock(Instant.parse("2026-01-01T00:00:00Z")));

        assertEquals(7, source.load(2L).targets().get(0).keepRevisions());
        assertEquals(2L, source.load().version());
        assertEquals(List.of(SampleStack.CONFIG_PARAMETER), ssm.reads, "one read: the run's version is the current one");

        assertEquals(3, source.load(1L).targets().get(0).keepRevisions(), "an older run's version");
        assertEquals(List.of(SampleStack.CONFIG_PARAMETER, SampleStack.CONFIG_PARAMETER + ":1"), ssm.reads);
    }
}
