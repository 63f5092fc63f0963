"""Prints a SAM template as the CloudFormation template its AWS::Serverless transform produces.

Usage: python3 sam_expand.py TEMPLATE [REGION]

The expansion is aws-sam-translator's (the library behind CloudFormation's transform), offline: local
CodeUri folders are replaced by an S3 location first, as `sam package` does. Conditions, parameters
and intrinsic functions are left as written; the caller evaluates them for one set of parameter values.
"""

import json
import os
import sys

from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.translator import Translator

PACKAGED_CODE = "s3://pushdeploy-package/functions.zip"


def packaged(template: dict) -> dict:
    functions = [template.get("Globals", {}).get("Function", {})]
    functions += [r.get("Properties", {}) for r in template.get("Resources", {}).values()
                  if isinstance(r, dict) and r.get("Type") == "AWS::Serverless::Function"]
    for properties in functions:
        if isinstance(properties.get("CodeUri"), str) and not properties["CodeUri"].startswith("s3://"):
            properties["CodeUri"] = PACKAGED_CODE
    return template


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    os.environ["AWS_DEFAULT_REGION"] = argv[2] if len(argv) == 3 else "us-east-1"
    template, problems = decode(argv[1])
    if problems or template is None:
        print("cannot read " + argv[1] + ": " + "; ".join(str(p) for p in problems), file=sys.stderr)
        return 1
    try:
        expanded = Translator(managed_policy_map={}, sam_parser=Parser()).translate(
            sam_template=packaged(template), parameter_values={}, passthrough_metadata=True)
    except InvalidDocumentException as e:
        print("SAM transform failed: " + "; ".join(c.message for c in e.causes), file=sys.stderr)
        return 1
    json.dump(expanded, sys.stdout, indent=1, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
