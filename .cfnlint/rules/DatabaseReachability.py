"""E9111: a database accepts its port only from the application and the rotation function (and an SSM-only admin host)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402

DATABASES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
DEFAULT_PORT = "5432"


class DatabaseReachability(CloudFormationLintRule):
    id = "E9111"
    shortdesc = "Database reachable only from the application and the rotation function"
    description = ("Every inbound rule of a database's security groups is TCP on the database port only, from the "
                   "security group of an ECS service or of a VPC Lambda function (or of an admin host reached only "
                   "through Session Manager: an instance without a key pair whose groups have no inbound rule), or "
                   "from the CIDR of a subnet one of those runs in; the database is not publicly accessible.")
    source_url = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html"
    tags = ["pushdeploy", "network", "rds", "security"]

    def match(self, cfn):
        clients, subnets = self._clients(cfn)
        guarded = {}
        matches = []
        for name, database in lint.resources(cfn, *DATABASES):
            props = database.get("Properties", {}) or {}
            port = str(props.get("Port", DEFAULT_PORT))
            if str(props.get("PubliclyAccessible", "false")).lower() == "true":
                matches.append(RuleMatch(["Resources", name, "Properties", "PubliclyAccessible"],
                                         f"database {name} is publicly accessible"))
            for _, group, _ in lint.conditioned_items(props.get("VPCSecurityGroups") or props.get("VpcSecurityGroupIds")):
                target = lint.ref_target(group)
                if target:
                    guarded[target] = (name, port)
        for group, (database, port) in guarded.items():
            for path, rule in self._ingress(cfn, group):
                problem = self._problem(rule, port, clients, subnets)
                if problem:
                    matches.append(RuleMatch(path, f"database {database} (group {group}): {problem}"))
        return matches

    @staticmethod
    def _clients(cfn):
        """Security groups and subnets of the application (ECS services) and of VPC functions."""
        groups, subnets = set(), set()
        for _, service in lint.resources(cfn, "AWS::ECS::Service"):
            vpc = lint.get_path(service.get("Properties", {}) or {}, "NetworkConfiguration", "AwsvpcConfiguration") or {}
            groups |= {lint.ref_target(g) for _, g, _ in lint.conditioned_items(vpc.get("SecurityGroups"))}
            subnets |= {lint.ref_target(s) for _, s, _ in lint.conditioned_items(vpc.get("Subnets"))}
        for _, function in lint.resources(cfn, "AWS::Lambda::Function"):
            for vpc, _ in lint.conditioned((function.get("Properties", {}) or {}).get("VpcConfig")):
                if isinstance(vpc, dict):
                    groups |= {lint.ref_target(g) for _, g, _ in lint.conditioned_items(vpc.get("SecurityGroupIds"))}
                    subnets |= {lint.ref_target(s) for _, s, _ in lint.conditioned_items(vpc.get("SubnetIds"))}
        for name, instance in lint.resources(cfn, "AWS::EC2::Instance"):
            props = instance.get("Properties", {}) or {}
            own = {lint.ref_target(g) for _, g, _ in lint.conditioned_items(props.get("SecurityGroupIds"))} - {None}
            if "KeyName" in props or not own or any(True for g in own for _ in DatabaseReachability._any_ingress(cfn, g)):
                continue
            groups |= own
            subnets.add(lint.ref_target(props.get("SubnetId")))
        return groups - {None}, subnets - {None}

    @staticmethod
    def _any_ingress(cfn, group):
        yield from DatabaseReachability._ingress(cfn, group)

    @staticmethod
    def _ingress(cfn, group):
        definition = (cfn.template.get("Resources", {}) or {}).get(group, {})
        for index, rule, _ in lint.conditioned_items((definition.get("Properties", {}) or {}).get("SecurityGroupIngress")):
            yield ["Resources", group, "Properties", "SecurityGroupIngress", index], rule
        for name, ingress in lint.resources(cfn, "AWS::EC2::SecurityGroupIngress"):
            props = ingress.get("Properties", {}) or {}
            if lint.ref_target(props.get("GroupId")) == group:
                yield ["Resources", name, "Properties"], props

    @staticmethod
    def _problem(rule, port, clients, subnets):
        if not isinstance(rule, dict):
            return None
        protocol = str(rule.get("IpProtocol", "")).lower()
        if protocol not in ("tcp", "6") or str(rule.get("FromPort")) != port or str(rule.get("ToPort")) != port:
            return f"inbound {protocol or '?'} {rule.get('FromPort')}-{rule.get('ToPort')} (only tcp {port})"
        if "SourceSecurityGroupId" in rule:
            source = lint.ref_target(rule["SourceSecurityGroupId"])
            return None if source in clients else f"inbound from security group {source or rule['SourceSecurityGroupId']}, not the application's or the rotation function's"
        if "CidrIp" in rule:
            cidr = rule["CidrIp"]
            attribute = cidr.get("Fn::GetAtt") if isinstance(cidr, dict) else None
            attribute = attribute[-1] if isinstance(attribute, list) else str(attribute).split(".")[-1]
            if attribute == "CidrBlock" and lint.ref_target(cidr) in subnets:
                return None
            return f"inbound from {cidr}, not a subnet the application or the rotation function runs in"
        return "inbound from a source that is neither the application nor the rotation function"
