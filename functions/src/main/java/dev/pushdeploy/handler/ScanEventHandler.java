package dev.pushdeploy.handler;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.pushdeploy.adapter.aws.Aws;
import dev.pushdeploy.adapter.aws.DynamoScanWatches;
import dev.pushdeploy.adapter.aws.EcrRegistry;
import dev.pushdeploy.adapter.aws.SfnTaskTokens;
import dev.pushdeploy.adapter.aws.SsmConfigSource;
import dev.pushdeploy.config.ConfigSource;
import dev.pushdeploy.error.InvalidRequestException;
import dev.pushdeploy.log.StepLog;
import dev.pushdeploy.model.ScanResult;
import dev.pushdeploy.request.ScanFindings;
import dev.pushdeploy.request.ScanGate;
import dev.pushdeploy.request.ScanTokens;
import dev.pushdeploy.request.ScanWatcher;
import dev.pushdeploy.request.ScanWatches;
import java.time.Clock;
import java.util.List;

/**
 * ScanEvents: the target of the rule on ECR's "ECR Image Scan" (basic scanning) and Amazon Inspector's
 * "Inspector2 Scan" (enhanced scanning) events. Each workflow waiting for the scanned image is checked by the
 * scan gate and resumed once its answer is final ({@link ScanWatcher}); the event's own counts are not trusted,
 * the gate reads the findings.
 */
public final class ScanEventHandler extends StepHandler<ScanEventHandler.Event, ScanEventHandler.Answer> {
    /** The fields of a scan event this function reads. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(String source, @JsonProperty("detail-type") String detailType, Detail detail) {
        /** The repository's name: ECR's event names it, Inspector's gives its ARN. */
        String repository() {
            String name = detail == null ? null : detail.repositoryName();
            int at = name == null || !name.startsWith("arn:") ? -1 : name.indexOf(":repository/");
            return at < 0 ? name : name.substring(at + ":repository/".length());
        }
    }

    /** The event's detail, as far as it is read. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Detail(@JsonProperty("scan-status") String scanStatus, @JsonProperty("repository-name") String repositoryName,
                         @JsonProperty("image-digest") String imageDigest) {
    }

    /**
     * @param answers the gate's answer for each workflow that waited for the scan (a PENDING one still waits)
     */
    public record Answer(String repository, String digest, List<ScanResult> answers) {
    }

    private final ScanWatcher watcher;

    /** Wired from the environment, as Lambda runs it. */
    public ScanEventHandler() {
        this(Clock.systemUTC());
    }

    /** Wired from the environment, reading time from {@code clock}. */
    public ScanEventHandler(Clock clock) {
        this(Env.require(Env.CONFIG_PARAMETER), Env.require(Env.TABLE_NAME), clock);
    }

    private ScanEventHandler(String configParameter, String table, Clock clock) {
        this(new SsmConfigSource(Aws::ssm, configParameter), new EcrRegistry(Aws::ecr),
                new DynamoScanWatches(Aws::dynamoDb, table), new SfnTaskTokens(Aws::sfn), clock);
    }

    public ScanEventHandler(ConfigSource config, ScanFindings scans, ScanWatches watches, ScanTokens tokens, Clock clock) {
        super(Event.class, "ScanEvents");
        this.watcher = new ScanWatcher(new ScanGate(config, scans, clock), watches, tokens, clock);
    }

    @Override
    protected Event primingInput(PrimingSample sample) {
        return new Event("aws.ecr", "ECR Image Scan", new Detail("COMPLETE", sample.target().repository(),
                sample.request().digest()));
    }

    @Override
    protected Answer handle(Event event, StepLog log) {
        String repository = event.repository();
        String digest = event.detail() == null ? null : event.detail().imageDigest();
        if (repository == null || digest == null || !("aws.ecr".equals(event.source()) || "aws.inspector2".equals(event.source()))) {
            throw new InvalidRequestException("event", "not a scan event of an image (source " + event.source()
                    + ", detail-type " + event.detailType() + ")");
        }
        log.info("scan event", "repository", repository, "digest", digest, "status", event.detail().scanStatus());
        return new Answer(repository, digest, watcher.onScan(repository, digest, log));
    }
}
