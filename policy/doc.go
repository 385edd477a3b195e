// Package policy parses, validates, compiles and evaluates AWS IAM policy
// documents, giving the answer AWS gives and explaining it.
//
// The package is pure: no I/O, no global mutable state. The flow is
//
//	doc, err := policy.Parse(jsonBytes)            // syntax, with positions
//	findings := policy.Validate(doc, policy.TypeIdentity) // IAM's rules for where the policy is used
//	p, err := policy.Compile(doc, policy.TypeIdentity, "my-policy")
//	ev := policy.NewEvaluator(policy.Set{Identity: []*policy.Policy{p}})
//	var res policy.Result
//	ev.Evaluate(&req, &res) // Allow, ExplicitDeny or ImplicitDeny, and why
//
// Compiled policies and evaluators are immutable and safe for concurrent use.
// Evaluate allocates nothing when the Result is reused, so it can sit on the
// path of every API request.
package policy
