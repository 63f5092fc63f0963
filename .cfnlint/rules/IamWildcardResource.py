"""E9102: Resource "*" only for actions that have no resource type, each such statement commented."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

# Actions that do have a resource type in the Service Authorization Reference but cannot be
# scoped in practice, with the reason (anything else with Resource "*" is a finding).
EXCEPTIONS = {
    "ecs:listtasks": "its only resource type is container-instance, which Fargate tasks lack; scope it with the ecs:cluster condition",
    "ec2:createnetworkinterface": "Lambda attaches a function to its VPC with the function's role and validates these on *",
    "ec2:deletenetworkinterface": "Lambda attaches a function to its VPC with the function's role and validates these on *",
    "ec2:assignprivateipaddresses": "Lambda attaches a function to its VPC with the function's role and validates these on *",
    "ec2:unassignprivateipaddresses": "Lambda attaches a function to its VPC with the function's role and validates these on *",
}


class IamWildcardResource(CloudFormationLintRule):
    id = "E9102"
    shortdesc = 'IAM least privilege: Resource "*" only where the API requires it'
    description = ('An Allow statement with Resource "*" (or NotResource) may only name actions that have no resource '
                   'type (per the Service Authorization Reference), and in YAML a comment must sit right above it.')
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
    tags = ["pushdeploy", "iam", "security"]

    def match(self, cfn):
        matches = []
        for path, statement in lint.allowing(cfn):
            if "NotResource" in statement:
                matches.append(RuleMatch(path + ["NotResource"], f"{path[1]}: Allow with NotResource grants every other resource"))
                continue
            if not lint.is_star(statement.get("Resource")):
                continue
            for action in lint.actions(statement):
                scoped = [name for name, spec in lint.matching_actions(action)
                          if spec.get("Resources") and name not in EXCEPTIONS]
                if scoped:
                    matches.append(RuleMatch(path + ["Resource"],
                                             f'{path[1]}: Resource "*" for {action}, which can be scoped '
                                             f"({', '.join(sorted(scoped)[:3])} take resource ARNs)"))
        template = lint.source(cfn)
        if template is not None:
            with open(cfn.filename, encoding="utf-8") as f:
                lines = f.read().splitlines()
            for path, statement in lint.source_statements(template):
                if (statement.get("Effect") == "Allow" and lint.is_star(statement.get("Resource"))
                        and not lint.has_comment_above(lines, statement)):
                    matches.append(RuleMatch(path + ["Resource"],
                                             f'{path[1]}: Resource "*" without a comment above the statement saying why the API requires it'))
        return matches
