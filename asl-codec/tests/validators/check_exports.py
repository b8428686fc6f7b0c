"""Checks stacks written by `asl_codec::deploy` with the real tools, offline.

Usage: python check_exports.py MANIFEST.json
MANIFEST is a list of {"kind": "sam" | "cloudformation" | "terraform", "dir": DIR,
"name": NAME, "asl": ORIGINAL_DEFINITION_JSON}.

- SAM: `DefinitionUri` is pointed at S3 (what `sam package` / `sam deploy` do after uploading
  the ASL file), the template goes through aws-sam-translator's `transform`, and the result
  through cfn-lint.
- CloudFormation: cfn-lint.
- Terraform: python-hcl2 parses main.tf; the state machine's `definition` call is evaluated
  (`file` or `templatefile` with each variable replaced by the `${Name}` placeholder it stands
  for) and must equal the original definition.

All templates go through one cfn-lint run. Prints one line per problem; exits 1 if any.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import hcl2  # noqa: E402
import yaml  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402

# cfn-lint findings that do not make an exported template wrong.
IGNORED_RULES = {
    # E3601 checks an inline `Definition` against cfn-lint's own ASL schema, which predates
    # JSONata (`{% %}` in numeric fields), rejects valid legacy fields (Map `Parameters`) and
    # does not apply `DefinitionSubstitutions` before matching `Resource` patterns. The
    # definition is the user's, checked by `asl-studio check`; the template around it is
    # what this test judges.
    "E3601",
}


class OfflinePolicyLoader:
    """The exports use policy templates and inline statements only, never managed policy
    names, so the IAM lookup the translator can make is never needed."""

    def load(self):
        return {}


def sam_to_cloudformation(directory, problems):
    path = os.path.join(directory, "template.yaml")
    with open(path, encoding="utf-8") as handle:
        template = yaml.safe_load(handle)
    machine = template["Resources"]["StateMachine"]["Properties"]
    uri = machine.get("DefinitionUri")
    if not isinstance(uri, str) or not os.path.isfile(os.path.join(directory, uri)):
        problems.append(f"{path}: DefinitionUri {uri!r} does not name the ASL file beside it")
        return None
    machine["DefinitionUri"] = f"s3://asl-studio-export-test/{uri}"
    try:
        transformed = transform(template, {}, OfflinePolicyLoader())
    except Exception as error:  # the translator raises several exception types
        problems.append(f"{path}: aws-sam-translator: {error}")
        return None
    out = os.path.join(directory, "transformed.json")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(transformed, handle, indent=1)
    return out


def unquote(text):
    """python-hcl2 8 keeps the quotes of labels and string literals."""
    if isinstance(text, str) and len(text) >= 2 and text[0] == text[-1] == '"':
        return json.loads(text).replace("$${", "${").replace("%%{", "%{")
    return text


def evaluate_terraform(directory, asl_path, problems):
    path = os.path.join(directory, "main.tf")
    with open(path, encoding="utf-8") as handle:
        try:
            module = hcl2.load(handle)
        except Exception as error:
            problems.append(f"{path}: python-hcl2: {error}")
            return
    machines = [
        body
        for block in module.get("resource", [])
        for kind, named in block.items()
        if unquote(kind) == "aws_sfn_state_machine"
        for body in named.values()
    ]
    if len(machines) != 1:
        problems.append(f"{path}: expected one aws_sfn_state_machine, found {len(machines)}")
        return
    expression = machines[0]["definition"]
    placeholder_of = {"AWS_Partition": "AWS::Partition", "AWS_Region": "AWS::Region",
                      "AWS_AccountId": "AWS::AccountId"}
    for block in module.get("variable", []):
        for variable, body in block.items():
            description = unquote(body.get("description", ""))
            match = re.match(r"Value of the definition's placeholder (.+?) \(used at", description)
            if match:
                placeholder_of[unquote(variable)] = match.group(1)
    match = re.search(r'(file|templatefile)\("\$\{path\.module\}/([^"]+)"', expression)
    if not match:
        problems.append(f"{path}: definition is neither file(...) nor templatefile(...): {expression}")
        return
    with open(os.path.join(directory, match.group(2)), encoding="utf-8") as handle:
        text = handle.read()
    if match.group(1) == "templatefile":
        used = set(re.findall(r"([\w-]+)\s*=", expression.split('", {', 1)[-1]))

        def substitute(found):
            escape, name = found.group(1), found.group(2)
            if escape:
                return found.group(0)[1:]
            if name not in used:
                raise KeyError(name)
            return "${" + placeholder_of.get(name, name) + "}"

        try:
            text = re.sub(r"(\$)?\$\{([^}]*)\}", substitute, text)
        except KeyError as error:
            problems.append(f"{path}: the template uses ${{{error.args[0]}}}, which the call does not pass")
            return
        text = text.replace("%%{", "%{")
    with open(asl_path, encoding="utf-8") as handle:
        original = json.load(handle)
    if json.loads(text) != original:
        problems.append(f"{path}: the definition Terraform deploys differs from {asl_path}")


def keep(line, originals):
    """Whether a parseable cfn-lint line is a problem of the export."""
    parts = line.split(":")
    rule = parts[5] if len(parts) > 5 else ""
    if rule in IGNORED_RULES or rule.startswith("I"):
        return False
    if rule == "E3510":
        # An ARN the definition itself writes with a documentation placeholder account
        # (`region-1:1234567890`, `<account_number>`) is scoped as written; the export
        # did not make it up, and the template says where it came from.
        match = re.search(r"'([^']*)' does not match", line)
        directory = os.path.realpath(os.path.dirname(parts[0]))
        if match and match.group(1).removesuffix(":*") in originals.get(directory, ""):
            return False
    return True


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        manifest = json.load(handle)
    problems = []
    lint = []
    for entry in manifest:
        kind, directory = entry["kind"], entry["dir"]
        if kind == "sam":
            out = sam_to_cloudformation(directory, problems)
            if out:
                lint.append(out)
        elif kind == "cloudformation":
            lint.append(os.path.join(directory, "template.yaml"))
        elif kind == "terraform":
            evaluate_terraform(directory, entry["asl"], problems)
    if lint:
        originals = {}
        for entry in manifest:
            with open(entry["asl"], encoding="utf-8") as handle:
                originals[os.path.realpath(entry["dir"])] = handle.read()
        cfn_lint = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
        # Two cfn-lint processes, each with half of the templates: one run per file would
        # pay cfn-lint's start-up hundreds of times.
        halves = [lint[0::2], lint[1::2]]
        runs = [
            subprocess.Popen(
                [cfn_lint, "--format", "parseable", "--regions", "us-east-1", "--", *half],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for half in halves
            if half
        ]
        for run in runs:
            stdout, stderr = run.communicate()
            for line in stdout.splitlines():
                if not keep(line, originals):
                    continue
                problems.append(f"cfn-lint: {line}")
            if run.returncode not in (0, 2, 4, 6, 8, 10, 12, 14) or stderr.strip():
                problems.append(f"cfn-lint exited {run.returncode}: {stderr.strip()}")
    for problem in problems:
        print(problem)
    print(f"checked {len(manifest)} exports, {len(lint)} templates through cfn-lint; {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
