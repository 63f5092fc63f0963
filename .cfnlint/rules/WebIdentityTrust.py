"""E9113: a role assumed with a web identity (CI through OIDC) trusts one audience and named subjects only."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

GITHUB = "token.actions.githubusercontent.com"
WIDE = ("*", "*/*", "owner/*", "*/name")


class WebIdentityTrust(CloudFormationLintRule):
    id = "E9113"
    shortdesc = "Web identity trust: pinned audience, subjects of named repositories"
    description = ("A trust statement allowing sts:AssumeRoleWithWebIdentity must require the provider's aud with "
                   "StringEquals and its sub with StringEquals or StringLike; for GitHub Actions the sub must name "
                   "one repository (repo:owner/name:…, no wildcard in owner/name, nor a parameter that admits one).")
    source_url = "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services"
    tags = ["pushdeploy", "iam", "security"]

    def match(self, cfn):
        matches = []
        for name, role in lint.resources(cfn, "AWS::IAM::Role"):
            document = (role.get("Properties", {}) or {}).get("AssumeRolePolicyDocument")
            for doc in lint.branches(document):
                if not isinstance(doc, dict):
                    continue
                for index, statement in lint.items(doc.get("Statement")):
                    if not isinstance(statement, dict) or not lint.allows(statement):
                        continue
                    if "sts:AssumeRoleWithWebIdentity" not in lint.actions(statement):
                        continue
                    path = ["Resources", name, "Properties", "AssumeRolePolicyDocument", "Statement", index]
                    for problem in self._problems(cfn, statement.get("Condition") or {}):
                        matches.append(RuleMatch(path, f"{name}: {problem}"))
        return matches

    def _problems(self, cfn, condition):
        equals = condition.get("StringEquals") or {}
        like = condition.get("StringLike") or {}
        audiences = [k for k in equals if isinstance(k, str) and k.endswith(":aud")]
        subjects = [(k, v) for block in (equals, like) for k, v in block.items() if isinstance(k, str) and k.endswith(":sub")]
        if not audiences:
            yield "web identity trust without a StringEquals condition on the audience (:aud)"
        if not subjects:
            yield "web identity trust without a condition on the subject (:sub): any workflow of any repository could assume it"
        for key, value in subjects:
            if key.startswith(GITHUB) and not self._names_a_repository(cfn, value):
                yield f"GitHub subject {self._show(value)} does not name one repository (repo:owner/name:...)"

    @staticmethod
    def _names_a_repository(cfn, value):
        text = value.get("Fn::Sub") if isinstance(value, dict) else value
        if isinstance(text, list):
            text = text[0] if text else None
        if not isinstance(text, str):
            return False
        m = re.match(r"repo:([^:]+):", text)
        if not m:
            return False
        repository = m.group(1)
        if "*" in re.sub(r"\$\{[^}]*\}", "", repository):
            return False
        for variable in re.findall(r"\$\{([^}.]+)\}", repository):
            parameter = (cfn.template.get("Parameters", {}) or {}).get(variable)
            pattern = parameter.get("AllowedPattern") if isinstance(parameter, dict) else None
            if not isinstance(pattern, str) or any(re.fullmatch(pattern, w) for w in WIDE):
                return False
        return True

    @staticmethod
    def _show(value):
        return value.get("Fn::Sub") if isinstance(value, dict) and "Fn::Sub" in value else value
