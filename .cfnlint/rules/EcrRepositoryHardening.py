"""E9106: ECR repositories have immutable tags, scan on push and a lifecycle policy."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class EcrRepositoryHardening(CloudFormationLintRule):
    id = "E9106"
    shortdesc = "ECR: immutable tags, scan on push, lifecycle policy"
    description = ("An ECR repository must set ImageTagMutability IMMUTABLE (a tag always names the image that was "
                   "deployed), ImageScanningConfiguration.ScanOnPush true and a LifecyclePolicy.")
    source_url = "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"
    tags = ["pushdeploy", "ecr", "security"]

    def match(self, cfn):
        matches = []
        for name, repository in lint.resources(cfn, "AWS::ECR::Repository"):
            props = repository.get("Properties", {}) or {}
            path = ["Resources", name, "Properties"]
            if props.get("ImageTagMutability") != "IMMUTABLE":
                matches.append(RuleMatch(path, f"repository {name}: ImageTagMutability must be IMMUTABLE"))
            scan = lint.get_path(props, "ImageScanningConfiguration", "ScanOnPush")
            if not (scan is True or str(scan).lower() == "true"):
                matches.append(RuleMatch(path, f"repository {name}: ImageScanningConfiguration.ScanOnPush must be true"))
            if not lint.get_path(props, "LifecyclePolicy", "LifecyclePolicyText"):
                matches.append(RuleMatch(path, f"repository {name}: LifecyclePolicy is missing"))
        return matches
