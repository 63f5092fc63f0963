package dev.pushdeploy.template;

import dev.pushdeploy.template.RecordingInterceptor.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbRequest;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoriesRequest;
import software.amazon.awssdk.services.ecr.model.EcrRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServiceDeploymentsRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsRequest;
import software.amazon.awssdk.services.ecs.model.DescribeServicesRequest;
import software.amazon.awssdk.services.ecs.model.ListServiceDeploymentsRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.StopServiceDeploymentRequest;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TagResourceRequest;
import software.amazon.awssdk.services.ecs.model.UpdateServiceRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequest;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sns.model.PublishRequest;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersRequest;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * What IAM authorises for one SDK call: the action (service prefix : operation) on the resource
 * the request names, plus the permissions the call implies (KMS for SecureStrings and the
 * encrypted topic, on the stack's key, which encrypts them all; iam:PassRole for the roles a task definition names),
 * with the condition keys AWS sets for them (iam:PassedToService, ecs:CreateAction for tags on registration,
 * ecs:cluster for ListTasks). A null resource means the check is by action only (APIs without a resource type, or
 * resources not derivable here). Secrets Manager ARNs end in a random suffix; here it is {@code -AbCdEf}, as
 * {@code AwsNames} derives them.
 */
final class Permissions {
    /** @param context the condition keys the request carries, as IAM evaluates them */
    record Permission(String action, String resource, Map<String, String> context) {
        Permission {
            context = Map.copyOf(context);
        }

        Permission(String action, String resource) {
            this(action, resource, Map.of());
        }

        @Override
        public String toString() {
            return action + (resource == null ? "" : " on " + resource) + (context.isEmpty() ? "" : " with " + new java.util.TreeMap<>(context));
        }
    }

    /** SDK service name (lower case) → IAM service prefix. */
    private static final Map<String, String> PREFIXES = Map.ofEntries(
            Map.entry("ecs", "ecs"), Map.entry("ssm", "ssm"), Map.entry("ecr", "ecr"), Map.entry("dynamodb", "dynamodb"),
            Map.entry("sns", "sns"), Map.entry("eventbridge", "events"), Map.entry("elasticloadbalancingv2", "elasticloadbalancing"),
            Map.entry("kms", "kms"), Map.entry("secretsmanager", "secretsmanager"), Map.entry("sfn", "states"),
            Map.entry("cloudwatch", "cloudwatch"));

    /** Parameter Store's view of Secrets Manager: reading it needs the secret's own permission. */
    private static final String SECRETS_MANAGER_REFERENCE = "/aws/reference/secretsmanager/";

    private final String region;
    private final String account;
    private final String key;

    /** @param key the ARN of the stack's KMS key */
    Permissions(String region, String account, String key) {
        this.region = region;
        this.account = account;
        this.key = key;
    }

    List<Permission> of(Call call) {
        String prefix = PREFIXES.get(call.service().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", ""));
        if (prefix == null) {
            throw new IllegalStateException("no IAM prefix known for SDK service " + call.service() + " (" + call.operation() + ")");
        }
        String action = prefix + ":" + call.operation();
        List<Permission> permissions = new ArrayList<>();
        SdkRequest request = call.request();
        switch (request) {
            case GetParameterRequest r -> {
                permissions.add(new Permission(action, parameter(r.name())));
                if (Boolean.TRUE.equals(r.withDecryption())) {
                    permissions.add(new Permission("kms:Decrypt", key));
                }
                if (r.name().startsWith(SECRETS_MANAGER_REFERENCE)) {
                    permissions.add(new Permission("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:" + region + ":"
                            + account + ":secret:" + r.name().substring(SECRETS_MANAGER_REFERENCE.length()) + "-AbCdEf"));
                }
            }
            case GetParametersRequest r -> r.names().forEach(n -> permissions.add(new Permission(action, parameter(n))));
            case PutParameterRequest r -> {
                permissions.add(new Permission(action, parameter(r.name())));
                if (r.type() == ParameterType.SECURE_STRING) {
                    permissions.add(new Permission("kms:Encrypt", key));
                }
            }
            case DynamoDbRequest r -> permissions.add(new Permission(action, "arn:aws:dynamodb:" + region + ":" + account
                    + ":table/" + r.getValueForField("TableName", String.class).orElseThrow()));
            case DescribeRepositoriesRequest r -> {
                if (r.hasRepositoryNames() && !r.repositoryNames().isEmpty()) {
                    r.repositoryNames().forEach(n -> permissions.add(new Permission(action, repository(n))));
                } else {
                    permissions.add(new Permission(action, null));
                }
            }
            case EcrRequest r -> permissions.add(new Permission(action,
                    r.getValueForField("repositoryName", String.class).map(this::repository).orElse(null)));
            case DescribeServicesRequest r -> r.services().forEach(s -> permissions.add(new Permission(action, service(r.cluster(), s))));
            case UpdateServiceRequest r -> permissions.add(new Permission(action, service(r.cluster(), r.service())));
            case ListServiceDeploymentsRequest r -> permissions.add(new Permission(action, service(r.cluster(), r.service())));
            case DescribeServiceDeploymentsRequest r -> r.serviceDeploymentArns().forEach(arn -> permissions.add(new Permission(action, arn)));
            case DescribeServiceRevisionsRequest r -> r.serviceRevisionArns().forEach(arn -> permissions.add(new Permission(action, arn)));
            case StopServiceDeploymentRequest r -> permissions.add(new Permission(action, r.serviceDeploymentArn()));
            case DescribeTasksRequest r -> r.tasks().forEach(t -> permissions.add(new Permission(action,
                    t.startsWith("arn:") ? t : "arn:aws:ecs:" + region + ":" + account + ":task/" + name(r.cluster()) + "/" + t)));
            case RegisterTaskDefinitionRequest r -> {
                permissions.add(new Permission(action, "arn:aws:ecs:" + region + ":" + account + ":task-definition/" + r.family() + ":1"));
                if (r.hasTags() && !r.tags().isEmpty()) {
                    permissions.add(new Permission("ecs:TagResource",
                            "arn:aws:ecs:" + region + ":" + account + ":task-definition/" + r.family() + ":1",
                            Map.of("ecs:CreateAction", "RegisterTaskDefinition")));
                }
                for (String role : new String[] {r.executionRoleArn(), r.taskRoleArn()}) {
                    if (role != null) {
                        permissions.add(new Permission("iam:PassRole", role, Map.of("iam:PassedToService", "ecs-tasks.amazonaws.com")));
                    }
                }
            }
            case TagResourceRequest r -> permissions.add(new Permission(action, r.resourceArn()));
            case ListTasksRequest r -> permissions.add(new Permission(action, null,
                    Map.of("ecs:cluster", "arn:aws:ecs:" + region + ":" + account + ":cluster/" + name(r.cluster()))));
            case DescribeExecutionRequest r -> permissions.add(new Permission(action, r.executionArn()));
            case GetExecutionHistoryRequest r -> permissions.add(new Permission(action, r.executionArn()));
            case PublishRequest r -> {
                permissions.add(new Permission(action, r.topicArn()));
                permissions.add(new Permission("kms:GenerateDataKey", key));
            }
            case PutEventsRequest r -> {
                for (PutEventsRequestEntry entry : r.entries()) {
                    String bus = entry.eventBusName() == null ? "default" : entry.eventBusName();
                    permissions.add(new Permission(action, bus.startsWith("arn:") ? bus
                            : "arn:aws:events:" + region + ":" + account + ":event-bus/" + bus));
                }
            }
            default -> permissions.add(new Permission(action, null));
        }
        return permissions;
    }

    private String repository(String name) {
        return "arn:aws:ecr:" + region + ":" + account + ":repository/" + name;
    }

    private String parameter(String name) {
        if (name.startsWith("arn:")) {
            return name;
        }
        return "arn:aws:ssm:" + region + ":" + account + ":parameter" + (name.startsWith("/") ? name : "/" + name);
    }

    private String service(String cluster, String service) {
        return service.startsWith("arn:") ? service : "arn:aws:ecs:" + region + ":" + account + ":service/" + name(cluster) + "/" + service;
    }

    private static String name(String clusterOrArn) {
        if (clusterOrArn == null) {
            return "default";
        }
        return clusterOrArn.contains("/") ? clusterOrArn.substring(clusterOrArn.lastIndexOf('/') + 1) : clusterOrArn;
    }
}
