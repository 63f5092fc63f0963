"""E9105: everything that can be encrypted with a customer managed key uses the stack's key, with rotation on."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

# resource type -> (property path of the key, {property path: required value})
ENCRYPTED = {
    "AWS::Logs::LogGroup": (("KmsKeyId",), {}),
    "AWS::SNS::Topic": (("KmsMasterKeyId",), {}),
    "AWS::SQS::Queue": (("KmsMasterKeyId",), {}),
    "AWS::DynamoDB::Table": (("SSESpecification", "KMSMasterKeyId"),
                             {("SSESpecification", "SSEEnabled"): True, ("SSESpecification", "SSEType"): "KMS"}),
    "AWS::ECR::Repository": (("EncryptionConfiguration", "KmsKey"), {("EncryptionConfiguration", "EncryptionType"): "KMS"}),
    "AWS::RDS::DBInstance": (("KmsKeyId",), {("StorageEncrypted",): True}),
    "AWS::RDS::DBCluster": (("KmsKeyId",), {("StorageEncrypted",): True}),
    "AWS::SecretsManager::Secret": (("KmsKeyId",), {}),
    "AWS::Lambda::Function": (("KmsKeyArn",), {}),
    "AWS::StepFunctions::StateMachine": (("EncryptionConfiguration", "KmsKeyId"),
                                         {("EncryptionConfiguration", "Type"): "CUSTOMER_MANAGED_KMS_KEY"}),
    "AWS::ECS::Cluster": (("Configuration", "ManagedStorageConfiguration", "FargateEphemeralStorageKmsKeyId"), {}),
}


def _truthy(value, wanted):
    if wanted is True:
        return value is True or str(value).lower() == "true"
    return value == wanted


class KmsEncryption(CloudFormationLintRule):
    id = "E9105"
    shortdesc = "Encryption with the stack's KMS key, rotation on"
    description = ("Log groups, topics, queues, tables, repositories, databases, secrets, functions, state machines "
                   "and Fargate storage must be encrypted with a KMS key of this template that has EnableKeyRotation.")
    source_url = "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#customer-cmk"
    tags = ["pushdeploy", "kms", "security"]

    def match(self, cfn):
        matches = []
        keys = set()
        for name, key in lint.resources(cfn, "AWS::KMS::Key"):
            rotation = (key.get("Properties", {}) or {}).get("EnableKeyRotation")
            if _truthy(rotation, True):
                keys.add(name)
            else:
                matches.append(RuleMatch(["Resources", name, "Properties"], f"KMS key {name} without EnableKeyRotation: true"))
        for name, resource in lint.resources(cfn, *ENCRYPTED):
            key_path, required = ENCRYPTED[resource["Type"]]
            props = resource.get("Properties", {}) or {}
            path = ["Resources", name, "Properties"]
            for prop_path, wanted in required.items():
                if not _truthy(lint.get_path(props, *prop_path), wanted):
                    matches.append(RuleMatch(path + list(prop_path), f"{resource['Type']} {name}: {'.'.join(prop_path)} must be {wanted}"))
            values = list(lint.branches(lint.get_path(props, *key_path)))
            if not values or any(lint.ref_target(v) not in keys for v in values):
                matches.append(RuleMatch(path + list(key_path),
                                         f"{resource['Type']} {name}: {'.'.join(key_path)} must reference the stack's KMS key "
                                         f"({', '.join(sorted(keys)) or 'none with rotation'})"))
        return matches
