"""E9101: identity policies grant named actions only: no "*", no "service:*", no NotAction, no AWS managed policies."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class IamNoWildcardActions(CloudFormationLintRule):
    id = "E9101"
    shortdesc = "IAM least privilege: no wildcard actions"
    description = ('Identity policies (roles, policies, SAM-generated roles) must not allow Action "*" or '
                   '"<service>:*", use NotAction, or attach AWS managed policies (their statements are not least privilege).')
    source_url = "https://github.com/pushdeploy/pushdeploy/blob/main/docs/deploy.md#security-checks"
    tags = ["pushdeploy", "iam", "security"]

    def match(self, cfn):
        matches = []
        for path, statement in lint.allowing(cfn):
            if "NotAction" in statement:
                matches.append(RuleMatch(path + ["NotAction"], f"{path[1]}: Allow with NotAction grants every other action"))
            for action in lint.actions(statement):
                if action == "*" or action.endswith(":*"):
                    matches.append(RuleMatch(path + ["Action"], f"{path[1]}: Action {action!r} grants a whole service; name the actions"))
        for name, resource in lint.resources(cfn, "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"):
            props = resource.get("Properties", {}) or {}
            for index, arn in lint.items(props.get("ManagedPolicyArns")):
                text = arn if isinstance(arn, str) else str(arn.get("Fn::Sub", "")) if isinstance(arn, dict) else ""
                if ":iam::aws:policy/" in text:
                    matches.append(RuleMatch(["Resources", name, "Properties", "ManagedPolicyArns", index],
                                             f"AWS managed policy {text.rsplit('/', 1)[-1]} attached; "
                                             "give the role explicit statements (SAM functions: set Role)"))
        return matches
