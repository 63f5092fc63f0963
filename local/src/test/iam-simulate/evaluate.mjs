// Evaluates requests against one principal's identity policies with @cloud-copilot/iam-simulate.
// Input (a JSON file, argv[2]): {"principal", "account", "policies": [{"name", "policy"}],
//   "requests": [{"action", "resource", "context": {condition key: value}, "resourcePolicy": the resource's own policy}]}.
// Output (stdout): a JSON array, one entry per request: {"result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied",
// "ignored": [the context keys the simulator left out]} or {"error": "..."} when it refuses the request (an unknown
// action, a resource the action has no type for).
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const answers = []
for (const request of input.requests) {
  const response = await runSimulation({
    identityPolicies: input.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: request.resourcePolicy,
    request: {
      principal: input.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: input.account },
      contextVariables: request.context ?? {}
    }
  }, {})
  answers.push(response.resultType === 'error'
    ? { error: response.errors?.message ?? JSON.stringify(response.errors) }
    : { result: response.overallResult, ignored: response.result?.ignoredContextKeys ?? [] })
}
process.stdout.write(JSON.stringify(answers))
