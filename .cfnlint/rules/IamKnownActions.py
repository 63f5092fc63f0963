"""E9108: every action an identity policy names exists (cfn-lint skips this check under the SAM transform)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class IamKnownActions(CloudFormationLintRule):
    id = "E9108"
    shortdesc = "IAM actions exist"
    description = ("Every action (or action pattern) in an identity policy must name at least one action of the "
                   "Service Authorization Reference: a misspelt action silently grants nothing.")
    source_url = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
    tags = ["pushdeploy", "iam"]

    def match(self, cfn):
        matches = []
        for path, statement in lint.statements(cfn):
            for action in lint.actions(statement):
                if action == "*":
                    continue
                if ":" not in action or action.split(":", 1)[0].lower() not in lint.sar():
                    matches.append(RuleMatch(path + ["Action"], f"{path[1]}: unknown service in action {action!r}"))
                elif not lint.matching_actions(action):
                    matches.append(RuleMatch(path + ["Action"], f"{path[1]}: no such action: {action!r}"))
        return matches
