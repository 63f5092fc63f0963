"""E9109: with the condition PrivateIngress true, nothing but the API faces the internet."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

PRIVATE = "PrivateIngress"


class PrivateIngress(CloudFormationLintRule):
    id = "E9109"
    shortdesc = "Private ingress: no internet-facing load balancer, world-open port or public address"
    description = (f"In every deployment where the condition {PRIVATE} holds there is no internet-facing load "
                   "balancer, no security group rule open to 0.0.0.0/0 or ::/0, no subnet that maps public IPs, "
                   "no ECS service or instance with a public IP: the API (through its VPC link) is the only way in.")
    source_url = "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-private-integration.html"
    tags = ["pushdeploy", "network", "security"]

    def match(self, cfn):
        if PRIVATE not in (cfn.template.get("Conditions") or {}):
            return []
        matches = []
        for name, path, what, conditions in self._public(cfn):
            if lint.possible(cfn, lint.merge(conditions, {PRIVATE: True})):
                matches.append(RuleMatch(path, f"{name}: {what} while {PRIVATE} holds"))
        return matches

    def _public(self, cfn):
        """(resource, path, what is public, conditions under which it is) for everything that faces the internet."""
        for name, resource in lint.resources(cfn, "AWS::ElasticLoadBalancingV2::LoadBalancer"):
            props = resource.get("Properties", {}) or {}
            for scheme, conditions in lint.conditioned(props.get("Scheme", "internet-facing"), lint.resource_condition(resource)):
                if scheme == "internet-facing":
                    yield name, ["Resources", name, "Properties"], "an internet-facing load balancer", conditions
        for name, group in lint.resources(cfn, "AWS::EC2::SecurityGroup"):
            rules = (group.get("Properties", {}) or {}).get("SecurityGroupIngress")
            for index, rule, conditions in lint.conditioned_items(rules, lint.resource_condition(group)):
                if lint.world_open(rule):
                    yield (name, ["Resources", name, "Properties", "SecurityGroupIngress", index],
                           "ingress from the internet", conditions)
        for name, rule in lint.resources(cfn, "AWS::EC2::SecurityGroupIngress"):
            props = rule.get("Properties", {}) or {}
            if lint.world_open(props):
                yield name, ["Resources", name, "Properties"], "ingress from the internet", lint.resource_condition(rule)
        for name, subnet in lint.resources(cfn, "AWS::EC2::Subnet"):
            value = (subnet.get("Properties", {}) or {}).get("MapPublicIpOnLaunch", False)
            for mapped, conditions in lint.conditioned(value, lint.resource_condition(subnet)):
                if mapped is True or str(mapped).lower() == "true":
                    yield name, ["Resources", name, "Properties"], "a subnet that maps public IPs", conditions
        for name, service in lint.resources(cfn, "AWS::ECS::Service"):
            vpc = lint.get_path(service.get("Properties", {}) or {}, "NetworkConfiguration", "AwsvpcConfiguration") or {}
            for assign, conditions in lint.conditioned(vpc.get("AssignPublicIp", "DISABLED"), lint.resource_condition(service)):
                if assign == "ENABLED":
                    yield name, ["Resources", name, "Properties"], "tasks with public IPs", conditions
        for name, instance in lint.resources(cfn, "AWS::EC2::Instance"):
            interfaces = (instance.get("Properties", {}) or {}).get("NetworkInterfaces")
            for _, interface, conditions in lint.conditioned_items(interfaces, lint.resource_condition(instance)):
                if isinstance(interface, dict) and str(interface.get("AssociatePublicIpAddress", "")).lower() == "true":
                    yield name, ["Resources", name, "Properties"], "an instance with a public IP", conditions
