"""Expands a SAM template into plain CloudFormation with aws-sam-translator, as CloudFormation's
AWS::Serverless-2016-10-31 transform does.

Usage: python3 sam_expand.py TEMPLATE REGION ACCOUNT PARAMETERS_JSON

Prints the expanded template as JSON on stdout. Parameters the JSON object does not name take
their defaults, as in CloudFormation. Local artifact paths (a function's CodeUri, a state
machine's DefinitionUri, ...) are what `sam package` would upload; they become
s3://local/<path>, so the expanded resources keep the path as their S3 key.

Exit status 2: the translator rejected the template (its messages on stderr); 3: the translator
or PyYAML is not installed.
"""
import json
import os
import sys

LOCAL_BUCKET = "local"
# Resource type -> properties that name a local artifact `sam package` uploads.
ARTIFACTS = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
}


def local_artifacts_to_s3(template):
    function_globals = template.get("Globals", {}).get("Function", {})
    for resource in template.get("Resources", {}).values():
        kind = resource.get("Type")
        properties = resource.setdefault("Properties", {})
        for name in ARTIFACTS.get(kind, ()):
            value = properties.get(name)
            if value is None and name == "CodeUri":
                value = function_globals.get("CodeUri")
            if isinstance(value, str) and not value.startswith("s3://"):
                properties[name] = "s3://%s/%s" % (LOCAL_BUCKET, value)
    if isinstance(function_globals.get("CodeUri"), str):
        del function_globals["CodeUri"]


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 64
    path, region, account, parameters = argv[1], argv[2], argv[3], json.loads(argv[4])
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        from samtranslator.parser.parser import Parser
        from samtranslator.public.exceptions import InvalidDocumentException
        from samtranslator.translator.translator import Translator
        from samtranslator.yaml_helper import yaml_parse
    except ImportError as e:
        print("aws-sam-translator is not installed (it comes with cfn-lint: pip install cfn-lint): %s" % e,
              file=sys.stderr)
        return 3
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        print("%s is not a CloudFormation template: no Resources" % path, file=sys.stderr)
        return 2
    local_artifacts_to_s3(template)
    values = dict(parameters)
    values.update({"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws"})
    try:
        expanded = Translator(managed_policy_map={}, sam_parser=Parser()).translate(
            sam_template=template, parameter_values=values, passthrough_metadata=True)
    except InvalidDocumentException as e:
        for cause in e.causes:
            print(cause.message, file=sys.stderr)
        return 2
    json.dump(expanded, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
