"""E9114: an action scoped to ARNs is given an ARN of a resource type the action takes (else IAM grants nothing).

Identity policies, and the resource policies of topics and queues."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

# Actions the Service Authorization Reference lists without a resource type that AWS nonetheless authorizes against
# a resource, with the evidence (anything else without a resource type must be granted on "*": E9102 then applies).
EXCEPTIONS = {
    "states:sendtasksuccess": "a callback task's token is authorized against its execution's state machine: the "
                              "AccessDenied message names the stateMachine ARN, and the CDK's grantTaskResponse grants it",
    "states:sendtaskfailure": "as states:SendTaskSuccess",
    "states:sendtaskheartbeat": "as states:SendTaskSuccess",
}

# The ARN a resource's Fn::GetAtt Arn (or its Ref, where the Ref is an ARN) has, by type: {name} is its logical id.
ARNS = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:r:a:table/{name}",
    "AWS::SNS::Topic": "arn:aws:sns:r:a:{name}",
    "AWS::SQS::Queue": "arn:aws:sqs:r:a:{name}",
    "AWS::StepFunctions::StateMachine": "arn:aws:states:r:a:stateMachine:{name}",
    "AWS::Lambda::Function": "arn:aws:lambda:r:a:function:{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:r:a:log-group:{name}:*",
    "AWS::KMS::Key": "arn:aws:kms:r:a:key/{name}",
    "AWS::ECR::Repository": "arn:aws:ecr:r:a:repository/{name}",
    "AWS::IAM::Role": "arn:aws:iam::a:role/{name}",
    "AWS::IAM::ManagedPolicy": "arn:aws:iam::a:policy/{name}",
    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:r:a:secret:{name}",
    "AWS::ECS::Cluster": "arn:aws:ecs:r:a:cluster/{name}",
    "AWS::ECS::Service": "arn:aws:ecs:r:a:service/c/{name}",
    "AWS::ECS::TaskDefinition": "arn:aws:ecs:r:a:task-definition/{name}:1",
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::RDS::DBInstance": "arn:aws:rds:r:a:db:{name}",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "arn:aws:elasticloadbalancing:r:a:targetgroup/{name}/0",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "arn:aws:elasticloadbalancing:r:a:loadbalancer/app/{name}/0",
    "AWS::ElasticLoadBalancingV2::Listener": "arn:aws:elasticloadbalancing:r:a:listener/app/{name}/0/0",
    "AWS::Events::Rule": "arn:aws:events:r:a:rule/{name}",
    "AWS::CloudWatch::Alarm": "arn:aws:cloudwatch:r:a:alarm:{name}",
    "AWS::ElasticLoadBalancingV2::ListenerRule": "arn:aws:elasticloadbalancing:r:a:listener-rule/app/{name}/0/0/0",
    "AWS::Lambda::Alias": "arn:aws:lambda:r:a:function:{name}:live",
    "AWS::Lambda::Version": "arn:aws:lambda:r:a:function:{name}:1",
}
# Types whose Ref is their ARN (for the others a Ref is a name or an id).
REF_IS_ARN = {"AWS::SNS::Topic", "AWS::StepFunctions::StateMachine", "AWS::SecretsManager::Secret", "AWS::IAM::ManagedPolicy",
              "AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::ElasticLoadBalancingV2::TargetGroup",
              "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener",
              "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::Lambda::Alias", "AWS::Lambda::Version"}
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "r", "AWS::AccountId": "a", "AWS::URLSuffix": "amazonaws.com",
          "AWS::StackName": "stack"}


class Unrendered(Exception):
    pass


def rendered(cfn, value):
    """The ARN a Resource element's value stands for, names and parameters as placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == "Ref" and isinstance(inner, str):
            return by_ref(cfn, inner)
        if key == "Fn::GetAtt":
            name, attribute = (inner if isinstance(inner, list) else inner.split(".", 1))[:2]
            return by_attribute(cfn, name, attribute)
        if key == "Fn::Sub":
            text, variables = (inner[0], inner[1]) if isinstance(inner, list) else (inner, {})
            return re.sub(r"\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z0-9.]+))?\}",
                          lambda m: rendered(cfn, variables[m.group(1)]) if m.group(1) in variables
                          else by_attribute(cfn, m.group(1), m.group(2)) if m.group(2) else by_ref(cfn, m.group(1)), text)
        if key == "Fn::Join" and isinstance(inner, list) and len(inner) == 2:
            return inner[0].join(rendered(cfn, part) for part in inner[1])
    raise Unrendered(f"cannot tell which ARN {value!r} is")


def by_ref(cfn, name):
    if name in PSEUDO:
        return PSEUDO[name]
    parameter = cfn.template.get("Parameters", {}).get(name)
    if parameter is not None:
        default = parameter.get("Default")
        return default if isinstance(default, str) and default else name.lower()
    resource = cfn.template.get("Resources", {}).get(name)
    if resource is None:
        raise Unrendered(f"Ref {name} names nothing")
    if resource.get("Type") in REF_IS_ARN:
        return ARNS[resource["Type"]].format(name=name.lower())
    if resource.get("Type") == "AWS::SSM::Parameter" and "Name" in resource.get("Properties", {}):
        return rendered(cfn, resource["Properties"]["Name"])
    return name.lower()


def by_attribute(cfn, name, attribute):
    resource = cfn.template.get("Resources", {}).get(name)
    kind = resource.get("Type") if isinstance(resource, dict) else None
    if attribute in ("Arn", "DBInstanceArn", "TargetGroupArn", "LoadBalancerArn", "ListenerArn") and kind in ARNS:
        return ARNS[kind].format(name=name.lower())
    if attribute in ("Name", "TableName", "QueueName", "TopicName", "RepositoryName", "LoadBalancerFullName",
                     "TargetGroupFullName", "LoadBalancerName", "TargetGroupName", "StreamName"):
        return name.lower()
    raise Unrendered(f"cannot tell which ARN {name}.{attribute} ({kind}) is")


def formats(action_spec, service_resources):
    by_name = {name.lower(): spec for name, spec in service_resources.items()}
    for resource_type in action_spec.get("Resources", []):
        for arn in by_name.get(resource_type.lower(), {}).get("ARNFormats", []):
            yield re.compile(arn.replace("${Partition}", "[^:]*").replace("${Region}", "[^:]*").replace("${Account}", "[^:]*"))


def fits(arn, pattern):
    """Whether an ARN the statement names (its * and ? being wildcards) may name a resource of the pattern's type."""
    concrete = arn.replace("*", "x").replace("?", "x")
    return pattern.fullmatch(concrete) is not None or pattern.fullmatch(arn.replace("*", "")) is not None


class IamResourceTypes(CloudFormationLintRule):
    id = "E9114"
    shortdesc = "IAM resources fit their actions"
    description = ("In an Allow statement scoped to ARNs, each action must be given at least one ARN of a resource "
                   "type the action takes (per the Service Authorization Reference); an action without a resource type "
                   "is granted only on \"*\". Otherwise IAM grants nothing, however right the ARN looks.")
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
    tags = ["pushdeploy", "iam"]

    def match(self, cfn):
        matches = []
        for path, statement in [*lint.allowing(cfn), *resource_policy_allows(cfn)]:
            if "Resource" not in statement or lint.is_star(statement.get("Resource")):
                continue
            try:
                arns = [rendered(cfn, value) for _, value in lint.items(statement["Resource"])]
            except Unrendered as e:
                matches.append(RuleMatch(path + ["Resource"], f"{path[1]}: {e}"))
                continue
            for action in lint.actions(statement):
                service = action.split(":", 1)[0].lower()
                service_resources = lint.sar().get(service, {}).get("Resources", {})
                misfits = [misfit(name, spec, service_resources, arns) for name, spec in lint.matching_actions(action)
                           if name not in EXCEPTIONS]
                misfits = [m for m in misfits if m is not None] if "*" not in action and "?" not in action else (
                    misfits if misfits and all(misfits) else [])
                matches.extend(RuleMatch(path + ["Resource"], f"{path[1]}: {m}") for m in misfits[:3])
        return matches


def resource_policy_allows(cfn):
    """(path, statement) of every Allow statement of the topics' and queues' resource policies."""
    for name, resource in lint.resources(cfn, "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy"):
        for doc in lint.branches((resource.get("Properties") or {}).get("PolicyDocument")):
            if isinstance(doc, dict):
                for index, statement in lint.items(doc.get("Statement")):
                    if isinstance(statement, dict) and lint.allows(statement):
                        yield ["Resources", name, "Properties", "PolicyDocument", "Statement", index], statement


def misfit(name, spec, service_resources, arns):
    """Why the statement's ARNs grant the action nothing, or None when one of them may."""
    patterns = list(formats(spec, service_resources))
    if not patterns:
        return f"{name} takes no resource type: IAM grants it only on \"*\", not on {', '.join(arns)}"
    if not any(fits(arn, p) for arn in arns for p in patterns):
        return f"none of {', '.join(arns)} is a {' or '.join(spec.get('Resources'))}, the resources {name} takes"
    return None
