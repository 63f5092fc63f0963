"""E9103: iam:PassRole only for the ECS service's execution and task roles, only to ecs-tasks."""

import fnmatch
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class IamPassRoleScoped(CloudFormationLintRule):
    id = "E9103"
    shortdesc = "iam:PassRole only for the service's two roles"
    description = ("A statement allowing iam:PassRole must list only the roles used as ExecutionRoleArn/TaskRoleArn "
                   "of the template's ECS task definitions and require iam:PassedToService ecs-tasks.amazonaws.com.")
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
    tags = ["pushdeploy", "iam", "security"]

    def match(self, cfn):
        service_roles = set()
        for _, task in lint.resources(cfn, "AWS::ECS::TaskDefinition"):
            props = task.get("Properties", {}) or {}
            for key in ("ExecutionRoleArn", "TaskRoleArn"):
                for value in lint.branches(props.get(key)):
                    target = lint.ref_target(value)
                    if target:
                        service_roles.add(target)
        matches = []
        for path, statement in lint.allowing(cfn):
            if not any(fnmatch.fnmatchcase("iam:passrole", a.lower()) for a in lint.actions(statement)):
                continue
            for index, resource in enumerate(lint.as_list(statement.get("Resource"))):
                target = lint.ref_target(resource)
                if target not in service_roles:
                    matches.append(RuleMatch(path + ["Resource"],
                                             f"{path[1]}: iam:PassRole on {resource if isinstance(resource, str) else target or resource}: "
                                             f"only the service's roles ({', '.join(sorted(service_roles)) or 'none in this template'})"))
            passed = lint.get_path(statement, "Condition", "StringEquals", "iam:PassedToService")
            if passed not in ("ecs-tasks.amazonaws.com", ["ecs-tasks.amazonaws.com"]):
                matches.append(RuleMatch(path, f"{path[1]}: iam:PassRole without Condition StringEquals iam:PassedToService ecs-tasks.amazonaws.com"))
        return matches
