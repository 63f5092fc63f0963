"""E9107: state machines log (without execution data) and trace."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cfnlint.rules import CloudFormationLintRule, RuleMatch  # noqa: E402

import _pushdeploy_lint as lint  # noqa: E402


class StateMachineLogging(CloudFormationLintRule):
    id = "E9107"
    shortdesc = "Step Functions: logging without execution data, tracing"
    description = ("A state machine must log to a destination at level ALL, ERROR or FATAL with IncludeExecutionData "
                   "false (payloads stay out of the logs) and have X-Ray tracing enabled.")
    source_url = "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html"
    tags = ["pushdeploy", "stepfunctions", "security"]

    def match(self, cfn):
        matches = []
        for name, machine in lint.resources(cfn, "AWS::StepFunctions::StateMachine"):
            props = machine.get("Properties", {}) or {}
            path = ["Resources", name, "Properties"]
            logging = props.get("LoggingConfiguration")
            if not isinstance(logging, dict):
                matches.append(RuleMatch(path, f"state machine {name}: LoggingConfiguration is missing"))
            else:
                if logging.get("Level") not in ("ALL", "ERROR", "FATAL"):
                    matches.append(RuleMatch(path + ["LoggingConfiguration", "Level"],
                                             f"state machine {name}: logging Level must be ALL, ERROR or FATAL"))
                include = logging.get("IncludeExecutionData", False)
                if include is not False and str(include).lower() != "false":
                    matches.append(RuleMatch(path + ["LoggingConfiguration", "IncludeExecutionData"],
                                             f"state machine {name}: IncludeExecutionData must be false"))
                if not lint.as_list(logging.get("Destinations")):
                    matches.append(RuleMatch(path + ["LoggingConfiguration"], f"state machine {name}: no log destination"))
            tracing = lint.get_path(props, "TracingConfiguration", "Enabled")
            if not (tracing is True or str(tracing).lower() == "true"):
                matches.append(RuleMatch(path, f"state machine {name}: TracingConfiguration.Enabled must be true"))
        return matches
