"""E9112: containers run hardened: an init process, never privileged, never as root; Fargate services pin their platform."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

ROOT_USERS = ("0", "0:0", "root")


class TaskHardening(CloudFormationLintRule):
    id = "E9112"
    shortdesc = "Task hardening: init process, not privileged, not root, pinned Fargate platform"
    description = ("Every container of an ECS task definition has LinuxParameters.InitProcessEnabled true, is not "
                   "Privileged and does not run as root (User 0 or root, or a parameter that admits them); every "
                   "Fargate service names its PlatformVersion, never LATEST (nor a parameter that admits LATEST).")
    source_url = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html"
    tags = ["pushdeploy", "ecs", "security"]

    def match(self, cfn):
        matches = []
        for name, definition in lint.resources(cfn, "AWS::ECS::TaskDefinition"):
            containers = (definition.get("Properties", {}) or {}).get("ContainerDefinitions")
            for index, container, _ in lint.conditioned_items(containers):
                if not isinstance(container, dict):
                    continue
                path = ["Resources", name, "Properties", "ContainerDefinitions", index]
                label = f"{name} container {self._show(container.get('Name', index))}"
                init = lint.get_path(container, "LinuxParameters", "InitProcessEnabled")
                if not any(v is True or str(v).lower() == "true" for v in lint.branches(init)) or \
                        any(v is not True and str(v).lower() != "true" for v in lint.branches(init)):
                    matches.append(RuleMatch(path, f"{label}: LinuxParameters.InitProcessEnabled must be true"))
                if any(v is True or str(v).lower() == "true" for v in lint.branches(container.get("Privileged"))):
                    matches.append(RuleMatch(path + ["Privileged"], f"{label} is privileged"))
                for user in lint.branches(container.get("User")):
                    if self._admits(cfn, user, ROOT_USERS):
                        matches.append(RuleMatch(path + ["User"], f"{label} may run as root (User {self._show(user)})"))
        for name, service in lint.resources(cfn, "AWS::ECS::Service"):
            props = service.get("Properties", {}) or {}
            if props.get("LaunchType") != "FARGATE":
                continue
            versions = list(lint.branches(props.get("PlatformVersion")))
            if not versions:
                matches.append(RuleMatch(["Resources", name, "Properties"], f"Fargate service {name}: PlatformVersion is not pinned"))
            for version in versions:
                if self._admits(cfn, version, ("LATEST",)):
                    matches.append(RuleMatch(["Resources", name, "Properties", "PlatformVersion"],
                                             f"Fargate service {name}: PlatformVersion may be LATEST ({self._show(version)})"))
        return matches

    @staticmethod
    def _show(value):
        return f"parameter {value['Ref']}" if isinstance(value, dict) and "Ref" in value else str(value)

    @staticmethod
    def _admits(cfn, value, bad):
        """Whether a literal, or the template parameter a Ref names, can take one of the bad values."""
        if isinstance(value, str):
            return value in bad
        target = value.get("Ref") if isinstance(value, dict) else None
        parameter = (cfn.template.get("Parameters", {}) or {}).get(target) if isinstance(target, str) else None
        if not isinstance(parameter, dict):
            return False
        allowed = parameter.get("AllowedValues")
        if isinstance(allowed, list):
            return any(str(a) in bad for a in allowed)
        pattern = parameter.get("AllowedPattern")
        if isinstance(pattern, str):
            return any(re.fullmatch(pattern, b) for b in bad)
        return True
