package dev.pushdeploy.local.bootstrap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pushdeploy.local.aws.Clients;
import dev.pushdeploy.local.stack.PipelineTemplate;
import dev.pushdeploy.local.template.Deployment;
import java.net.URI;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.utils.builder.SdkBuilder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.CreateSubnetRequest;
import software.amazon.awssdk.services.ec2.model.CreateVpcRequest;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.CreateRepositoryRequest;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.CreateClusterRequest;
import software.amazon.awssdk.services.ecs.model.CreateServiceRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.UpdateServiceRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.CreateLoadBalancerRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.CreateTargetGroupRequest;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.LoadBalancer;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroup;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetRandomPasswordRequest;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.PutParameterRequest;

/**
 * Creates the template's resources in the emulator, one type at a time. Where CloudFormation's
 * properties are the API's request members (ECS, ECR, ELBv2, DynamoDB, SSM, Secrets Manager, EC2
 * networks), the evaluated properties become the SDK request as they are (names in
 * UpperCamelCase map onto the request builders); the rest is mapped here. What the local runtime
 * plays itself goes through {@link LocalParts}: the database server and local changes to a
 * parameter's value.
 */
final class ResourceProvisioner {
    private static final ObjectMapper REQUESTS = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Set<String> TYPES = Set.of("AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup",
            "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ECR::Repository",
            "AWS::ECS::Cluster", "AWS::ECS::TaskDefinition", "AWS::ECS::Service", "AWS::DynamoDB::Table", "AWS::SNS::Topic",
            "AWS::SQS::Queue", "AWS::SSM::Parameter", "AWS::SecretsManager::Secret", "AWS::RDS::DBInstance",
            "AWS::StepFunctions::StateMachine");
    /** ELBv2 names: at most 32 characters. */
    private static final int ELB_NAME_MAX = 32;

    /** What the local runtime provides in place of AWS. */
    interface LocalParts {
        /** The value a parameter gets locally (the template's value, or a local variant of it). */
        String parameterValue(String name, String value);

        /**
         * Starts (or resets) the database server standing in for an RDS instance, with the
         * instance's master login and database; answers its address and port.
         */
        URI database(String masterUsername, String masterPassword, String databaseName);
    }

    private final Ec2Client ec2;
    private final ElasticLoadBalancingV2Client elb;
    private final EcrClient ecr;
    private final EcsClient ecs;
    private final DynamoDbClient dynamo;
    private final SnsClient sns;
    private final SqsClient sqs;
    private final SsmClient ssm;
    private final SecretsManagerClient secrets;
    private final SfnClient sfn;
    private final LocalParts local;

    ResourceProvisioner(Clients clients, LocalParts local) {
        ec2 = clients.build(Ec2Client.builder());
        elb = clients.build(ElasticLoadBalancingV2Client.builder());
        ecr = clients.build(EcrClient.builder());
        ecs = clients.build(EcsClient.builder());
        dynamo = clients.build(DynamoDbClient.builder());
        sns = clients.build(SnsClient.builder());
        sqs = clients.build(SqsClient.builder());
        ssm = clients.build(SsmClient.builder());
        secrets = clients.build(SecretsManagerClient.builder());
        sfn = clients.build(SfnClient.builder());
        this.local = local;
    }

    boolean creates(String type) {
        return TYPES.contains(type);
    }

    /** Creates the resource; answers its physical ids ({@code "Id"} for Ref, {@code "Id.Attribute"} for GetAtt). */
    Map<String, String> create(PipelineTemplate stack, String id, JsonNode p) {
        Deployment d = stack.deployment();
        String type = d.template().type(id);
        Ids ids = new Ids(id);
        switch (type) {
            case "AWS::EC2::VPC" -> ids.ref(ec2.createVpc(request(p, CreateVpcRequest.class)).vpc().vpcId())
                    .put("CidrBlock", p.path("CidrBlock").asText());
            case "AWS::EC2::Subnet" -> {
                var subnet = ec2.createSubnet(request(p, CreateSubnetRequest.class)).subnet();
                ids.ref(subnet.subnetId()).put("SubnetId", subnet.subnetId()).put("AvailabilityZone", subnet.availabilityZone());
            }
            case "AWS::EC2::SecurityGroup" -> {
                String group = ec2.createSecurityGroup(r -> r.groupName(p.path("GroupName").asText(generated(id, type)))
                        .description(p.path("GroupDescription").asText()).vpcId(p.path("VpcId").asText(null))).groupId();
                ids.ref(group).put("GroupId", group).put("VpcId", p.path("VpcId").asText(""));
            }
            case "AWS::ElasticLoadBalancingV2::LoadBalancer" -> {
                LoadBalancer lb = elb.createLoadBalancer(request(p, CreateLoadBalancerRequest.class).toBuilder()
                                .name(p.path("Name").asText(elbName(id, type))).build())
                        .loadBalancers().get(0);
                ids.ref(lb.loadBalancerArn()).put("DNSName", lb.dnsName()).put("LoadBalancerName", lb.loadBalancerName())
                        .put("CanonicalHostedZoneID", lb.canonicalHostedZoneId())
                        .put("LoadBalancerFullName", lb.loadBalancerArn().substring(lb.loadBalancerArn().indexOf(":loadbalancer/") + 14));
            }
            case "AWS::ElasticLoadBalancingV2::TargetGroup" -> {
                TargetGroup group = elb.createTargetGroup(request(p, CreateTargetGroupRequest.class).toBuilder()
                                .name(p.path("Name").asText(elbName(id, type))).build())
                        .targetGroups().get(0);
                ids.ref(group.targetGroupArn()).put("TargetGroupName", group.targetGroupName())
                        .put("TargetGroupFullName", group.targetGroupArn().substring(group.targetGroupArn().indexOf(":targetgroup/") + 1));
            }
            case "AWS::ECR::Repository" -> {
                Repository repository = ecr.createRepository(request(p, CreateRepositoryRequest.class)).repository();
                String policy = p.path("LifecyclePolicy").path("LifecyclePolicyText").asText(null);
                if (policy != null) {
                    ecr.putLifecyclePolicy(r -> r.repositoryName(repository.repositoryName()).lifecyclePolicyText(policy));
                }
                ids.ref(repository.repositoryName()).put("Arn", repository.repositoryArn()).put("RepositoryUri", repository.repositoryUri());
            }
            case "AWS::ECS::Cluster" -> {
                var cluster = ecs.createCluster(request(p, CreateClusterRequest.class)).cluster();
                ids.ref(cluster.clusterName()).put("Arn", cluster.clusterArn());
            }
            case "AWS::ECS::TaskDefinition" -> {
                String arn = register(p);
                ids.ref(arn).put("TaskDefinitionArn", arn);
            }
            case "AWS::ECS::Service" -> {
                var service = ecs.createService(request(p, CreateServiceRequest.class)).service();
                ids.ref(service.serviceArn()).put("Name", service.serviceName()).put("ServiceArn", service.serviceArn());
            }
            case "AWS::DynamoDB::Table" -> {
                TableDescription table = dynamo.createTable(request(p, CreateTableRequest.class).toBuilder().tableName(d.ref(id)).build())
                        .tableDescription();
                JsonNode ttl = p.path("TimeToLiveSpecification");
                if (ttl.path("Enabled").asBoolean(false)) {
                    dynamo.updateTimeToLive(r -> r.tableName(table.tableName())
                            .timeToLiveSpecification(t -> t.attributeName(ttl.path("AttributeName").asText()).enabled(true)));
                }
                ids.ref(table.tableName()).put("Arn", table.tableArn());
            }
            case "AWS::SNS::Topic" -> {
                Map<String, String> attributes = scalarAttributes(p, "TopicName");
                String name = d.getAtt(id, "TopicName");
                String arn = sns.createTopic(r -> r.name(name).attributes(attributes)).topicArn();
                ids.ref(arn).put("TopicArn", arn).put("TopicName", name);
            }
            case "AWS::SQS::Queue" -> {
                Map<String, String> attributes = scalarAttributes(p, "QueueName");
                String name = d.getAtt(id, "QueueName");
                String url = sqs.createQueue(r -> r.queueName(name).attributesWithStrings(attributes)).queueUrl();
                String arn = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNamesWithStrings("QueueArn"))
                        .attributesAsStrings().get("QueueArn");
                ids.ref(url).put("Arn", arn).put("QueueName", name).put("QueueUrl", url);
            }
            case "AWS::SSM::Parameter" -> {
                String name = d.ref(id);
                put(name, p, false);
                ids.ref(name).put("Type", p.path("Type").asText()).put("Value", p.path("Value").asText());
            }
            case "AWS::SecretsManager::Secret" -> {
                String arn = secrets.createSecret(request(p, CreateSecretRequest.class).toBuilder()
                        .name(p.path("Name").asText(generated(id, type))).secretString(secretString(p)).build()).arn();
                ids.ref(arn).put("Id", arn);
            }
            case "AWS::RDS::DBInstance" -> {
                URI endpoint = local.database(DynamicReferences.resolve(p.path("MasterUsername").asText(), ssm, secrets),
                        DynamicReferences.resolve(p.path("MasterUserPassword").asText(), ssm, secrets), p.path("DBName").asText(null));
                ids.ref(generated(id, type).toLowerCase()).put("Endpoint.Address", endpoint.getHost())
                        .put("Endpoint.Port", String.valueOf(endpoint.getPort()));
            }
            case "AWS::StepFunctions::StateMachine" -> {
                PipelineTemplate.StateMachineSpec machine = stack.stateMachine(id);
                String arn = sfn.createStateMachine(r -> r.name(machine.name()).definition(machine.definitionText())
                        .roleArn(p.path("RoleArn").asText()).type(p.path("StateMachineType").asText("STANDARD"))).stateMachineArn();
                ids.ref(arn).put("Arn", arn).put("Name", machine.name());
            }
            default -> throw new IllegalArgumentException("the local stack does not create " + type);
        }
        return ids.values;
    }

    /**
     * Applies a change of the resource's properties: a task definition is replaced (a new revision,
     * the old one deregistered), a service updated in place, a parameter overwritten.
     */
    Map<String, String> update(PipelineTemplate stack, String id, JsonNode before, JsonNode p) {
        Deployment d = stack.deployment();
        String type = d.template().type(id);
        Ids ids = new Ids(id);
        switch (type) {
            case "AWS::ECS::TaskDefinition" -> {
                String old = d.ref(id);
                String arn = register(p);
                ecs.deregisterTaskDefinition(r -> r.taskDefinition(old));
                ids.ref(arn).put("TaskDefinitionArn", arn);
            }
            case "AWS::ECS::Service" -> {
                ecs.updateService(request(p, UpdateServiceRequest.class).toBuilder().service(d.getAtt(id, "Name")).build());
            }
            case "AWS::SSM::Parameter" -> put(d.ref(id), p, true);
            default -> throw new IllegalStateException("the local stack cannot update " + id + " (" + type + "): "
                    + before + " -> " + p);
        }
        return ids.values;
    }

    private String register(JsonNode p) {
        return ecs.registerTaskDefinition(request(p, RegisterTaskDefinitionRequest.class))
                .taskDefinition().taskDefinitionArn();
    }

    private void put(String name, JsonNode p, boolean overwrite) {
        ssm.putParameter(request(p, PutParameterRequest.class).toBuilder().name(name)
                .value(local.parameterValue(name, p.path("Value").asText())).overwrite(overwrite).build());
    }

    /** The secret's value: {@code SecretString}, or what {@code GenerateSecretString} makes (a template with a random key). */
    private String secretString(JsonNode p) {
        if (p.has("SecretString")) {
            return p.get("SecretString").asText();
        }
        JsonNode generate = p.path("GenerateSecretString");
        String password = secrets.getRandomPassword(request(generate, GetRandomPasswordRequest.class)).randomPassword();
        if (!generate.has("SecretStringTemplate")) {
            return password;
        }
        ObjectNode document = (ObjectNode) dev.pushdeploy.ops.Json.tree(generate.get("SecretStringTemplate").asText());
        return document.put(generate.path("GenerateStringKey").asText(), password).toString();
    }

    /**
     * The SDK request whose members are the resource's properties (by name; {@code Tags}, whose
     * shape differs between CloudFormation and most APIs, left out).
     */
    /** A topic's or queue's attributes: its scalar properties but its name. */
    private static Map<String, String> scalarAttributes(JsonNode properties, String name) {
        Map<String, String> attributes = new HashMap<>();
        properties.properties().forEach(e -> {
            if (e.getValue().isValueNode() && !e.getKey().equals(name)) {
                attributes.put(e.getKey(), e.getValue().asText());
            }
        });
        return attributes;
    }

    private static <T extends SdkRequest> T request(JsonNode properties, Class<T> type) {
        ObjectNode members = properties.isObject() ? properties.deepCopy() : REQUESTS.createObjectNode();
        members.remove("Tags");
        try {
            Class<?> builder = (Class<?>) type.getMethod("serializableBuilderClass").invoke(null);
            return type.cast(((SdkBuilder<?, ?>) REQUESTS.convertValue(members, builder)).build());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type + " is not an SDK request", e);
        }
    }

    private static String generated(String id, String type) {
        return PipelineTemplate.localName(id, type);
    }

    private static String elbName(String id, String type) {
        String name = generated(id, type).replaceAll("[^A-Za-z0-9-]", "-");
        return name.length() <= ELB_NAME_MAX ? name : name.substring(0, ELB_NAME_MAX);
    }

    /** Physical ids of one resource. */
    private static final class Ids {
        final Map<String, String> values = new LinkedHashMap<>();
        final String id;

        Ids(String id) {
            this.id = id;
        }

        Ids ref(String value) {
            values.put(id, value);
            return this;
        }

        Ids put(String attribute, String value) {
            values.put(id + "." + attribute, value);
            return this;
        }
    }
}
