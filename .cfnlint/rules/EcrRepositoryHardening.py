"""E9106: ECR repositories have immutable tags, scan on push and a lifecycle policy that keeps the pipeline's keep tags."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class EcrRepositoryHardening(CloudFormationLintRule):
    id = "E9106"
    shortdesc = "ECR: immutable tags, scan on push, lifecycle policy"
    description = ("An ECR repository must set ImageTagMutability IMMUTABLE (a tag always names the image that was "
                   "deployed), ImageScanningConfiguration.ScanOnPush true and a LifecyclePolicy whose first rule selects "
                   "the pipeline's keep tags (pushdeploy-*): an image a rule selects cannot be expired by a rule of lower "
                   "priority, so no rule expires an image a live or kept revision runs.")
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
            text = lint.get_path(props, "LifecyclePolicy", "LifecyclePolicyText")
            if not text:
                matches.append(RuleMatch(path, f"repository {name}: LifecyclePolicy is missing"))
            elif isinstance(text, str) and not keeps_the_keep_tags(text):
                matches.append(RuleMatch(path + ["LifecyclePolicy"], f"repository {name}: the lifecycle policy's first rule "
                                         f"(lowest rulePriority) must select tagged images with tagPatternList [{KEEP_PATTERN}]"))
        return matches


KEEP_PATTERN = "pushdeploy-*"


def keeps_the_keep_tags(text):
    try:
        rules = json.loads(text).get("rules") or []
    except (ValueError, AttributeError):
        return False
    if not rules:
        return False
    first = min(rules, key=lambda rule: rule.get("rulePriority", 0))
    selection = first.get("selection") or {}
    return selection.get("tagStatus") == "tagged" and selection.get("tagPatternList") == [KEEP_PATTERN]
