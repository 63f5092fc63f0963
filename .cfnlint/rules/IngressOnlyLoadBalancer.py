"""E9104: only the load balancer's security group is open to the world, and only on 80 and 443."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

class IngressOnlyLoadBalancer(CloudFormationLintRule):
    id = "E9104"
    shortdesc = "Only the ALB security group is open to the world, on 80/443"
    description = ("Ingress from 0.0.0.0/0 or ::/0 is allowed only on security groups attached to a load balancer, "
                   "only TCP, only port 80 or 443 (FromPort == ToPort).")
    source_url = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html"
    tags = ["pushdeploy", "network", "security"]

    def match(self, cfn):
        balancer_groups = set()
        for _, balancer in lint.resources(cfn, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
            for _, group in lint.items((balancer.get("Properties", {}) or {}).get("SecurityGroups")):
                target = lint.ref_target(group)
                if target:
                    balancer_groups.add(target)
        matches = []
        for name, group in lint.resources(cfn, "AWS::EC2::SecurityGroup"):
            for index, rule in lint.items((group.get("Properties", {}) or {}).get("SecurityGroupIngress")):
                if isinstance(rule, dict):
                    matches.extend(self._check(rule, name, balancer_groups,
                                               ["Resources", name, "Properties", "SecurityGroupIngress", index]))
        for name, ingress in lint.resources(cfn, "AWS::EC2::SecurityGroupIngress"):
            props = ingress.get("Properties", {}) or {}
            group = lint.ref_target(props.get("GroupId")) or props.get("GroupName")
            matches.extend(self._check(props, group, balancer_groups, ["Resources", name, "Properties"]))
        return matches

    def _check(self, rule, group, balancer_groups, path):
        if not lint.world_open(rule):
            return []
        problems = []
        if group not in balancer_groups:
            problems.append(f"security group {group} is not a load balancer's")
        protocol = str(rule.get("IpProtocol", "")).lower()
        if protocol not in ("tcp", "6"):
            problems.append(f"protocol {protocol or '?'} (only tcp)")
        ports = (rule.get("FromPort"), rule.get("ToPort"))
        if str(ports[0]) != str(ports[1]) or str(ports[0]) not in ("80", "443"):
            problems.append(f"ports {ports[0]}-{ports[1]} (only 80 or 443)")
        if not problems:
            return []
        return [RuleMatch(path, "ingress from the internet: " + "; ".join(problems))]
