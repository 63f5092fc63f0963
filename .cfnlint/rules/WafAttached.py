"""E9110: a web ACL, wherever one exists, protects every public entry point that exists with it."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class WafAttached(CloudFormationLintRule):
    id = "E9110"
    shortdesc = "WAF attached wherever configured"
    description = ("In every deployment where a regional web ACL exists, each internet-facing Application Load "
                   "Balancer and each API Gateway stage that exists has a WebACLAssociation with it.")
    source_url = "https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html"
    tags = ["pushdeploy", "waf", "security"]

    def match(self, cfn):
        matches = []
        associations = []
        for name, association in lint.resources(cfn, "AWS::WAFv2::WebACLAssociation"):
            props = association.get("Properties", {}) or {}
            for arn, conditions in lint.conditioned(props.get("ResourceArn"), lint.resource_condition(association)):
                associations.append((lint.referenced(arn), lint.referenced(props.get("WebACLArn")), conditions))
        entries = list(self._entry_points(cfn))
        for acl, definition in lint.resources(cfn, "AWS::WAFv2::WebACL"):
            if (definition.get("Properties", {}) or {}).get("Scope") != "REGIONAL":
                continue
            acl_conditions = lint.resource_condition(definition)
            for entry, entry_conditions in entries:
                candidates = [c for targets, acls, c in associations if entry in targets and acl in acls]
                names = set(acl_conditions) | set(entry_conditions)
                for c in candidates:
                    names |= set(c)
                for scenario in lint.scenarios(cfn, names):
                    if (lint.holds(acl_conditions, scenario) and lint.holds(entry_conditions, scenario)
                            and not any(lint.holds(c, scenario) for c in candidates)):
                        matches.append(RuleMatch(["Resources", acl],
                                                 f"web ACL {acl} exists but {entry} is not associated with it "
                                                 f"(when {self._describe(scenario)})"))
                        break
        return matches

    @staticmethod
    def _entry_points(cfn):
        """(logical id, conditions) of every internet-facing ALB (and its conditions of being one) and API stage."""
        for name, balancer in lint.resources(cfn, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
            props = balancer.get("Properties", {}) or {}
            for kind, c1 in lint.conditioned(props.get("Type", "application"), lint.resource_condition(balancer)):
                for scheme, c2 in lint.conditioned(props.get("Scheme", "internet-facing"), c1):
                    if kind == "application" and scheme == "internet-facing":
                        yield name, c2
        for name, stage in lint.resources(cfn, "AWS::ApiGateway::Stage"):
            yield name, lint.resource_condition(stage)

    @staticmethod
    def _describe(scenario):
        return ", ".join(f"{name} is {str(truth).lower()}" for name, truth in sorted(scenario.items())) or "in every deployment"
