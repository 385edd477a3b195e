package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/policy"
)

func newPolicyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Validate IAM policies and evaluate requests against them, offline",
	}
	cmd.AddCommand(newPolicyValidateCmd(), newPolicyEvalCmd())
	return cmd
}

func newPolicyValidateCmd() *cobra.Command {
	var typ string
	var asJSON, managed bool
	cmd := &cobra.Command{
		Use:   "validate FILE",
		Short: "Check a policy document as IAM and IAM Access Analyzer would",
		Long: `Checks a policy document (FILE, or - for standard input) the way IAM does
when it is created, with IAM's own MalformedPolicyDocument messages, and
reports Access Analyzer-style findings: unknown actions and condition keys,
iam:PassRole on "*", and more. Exits 1 if the document is invalid.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ok := policy.ParseType(typ)
			if !ok {
				return &exitError{code: 2, msg: fmt.Sprintf("unknown --type %q (identity, trust, resource, boundary, session, scp, rcp)", typ)}
			}
			data, err := readInput(cmd.InOrStdin(), args[0])
			if err != nil {
				return &exitError{code: 2, msg: err.Error()}
			}
			doc, findings := policy.Validate(data, policy.CheckOptions{Type: t, Managed: managed || t == policy.TypeBoundary})
			valid := policy.Valid(findings)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if findings == nil {
					findings = []policy.Finding{}
				}
				_ = enc.Encode(struct {
					File     string           `json:"file"`
					Type     string           `json:"type"`
					Valid    bool             `json:"valid"`
					Findings []policy.Finding `json:"findings"`
				}{args[0], t.String(), valid, findings})
			} else {
				for _, f := range findings {
					where := f.Path
					if f.Line > 0 {
						where += fmt.Sprintf(" (line %d, column %d)", f.Line, f.Column)
					}
					if where != "" {
						where = " " + strings.TrimSpace(where) + ":"
					}
					fmt.Fprintf(out, "%s %s%s %s\n", f.Severity, f.IssueCode, where, f.Message)
				}
				if valid {
					fmt.Fprintf(out, "%s: valid %s policy (%d statements, %d findings)\n", args[0], t, len(doc.Statements), len(findings))
				} else {
					fmt.Fprintf(out, "%s: invalid %s policy\n", args[0], t)
				}
			}
			if !valid {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&typ, "type", "identity", "where the policy is used: identity, trust, resource, boundary, session, scp, rcp")
	cmd.Flags().BoolVar(&managed, "managed", false, "validate as a managed policy (requires Version 2012-10-17)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print findings as JSON")
	return cmd
}

type evalFlags struct {
	policies, sessions, scps, contexts []string
	boundary, resourcePolicy, trust    string
	principal, action, resource, acct  string
	cases, expect                      string
	asJSON                             bool
}

func newPolicyEvalCmd() *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Decide whether a principal may perform an action on a resource",
		Long: `Evaluates one request with AWS's policy evaluation logic and prints the
decision (Allow, ExplicitDeny or ImplicitDeny), the reason, and the statements
that applied. A policy argument is a file, - for standard input, or the ARN or
name of an AWS managed policy (arn:aws:iam::aws:policy/AmazonECS_FullAccess).

Each --scp is one level of the organization (root, OU, account); give several
policies of one level separated by commas. Each --context key=value adds a
value to key; repeat it for multi-valued keys.

With --cases FILE (or -), reads one JSON request per line and writes one JSON
decision per line, in order.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.cases != "" {
				return runEvalCases(cmd, f.cases)
			}
			return runEvalOne(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.policies, "policy", nil, "identity-based policy (repeatable)")
	fl.StringVar(&f.boundary, "boundary", "", "permissions boundary")
	fl.StringVar(&f.resourcePolicy, "resource-policy", "", "resource-based policy of the resource")
	fl.StringVar(&f.trust, "trust-policy", "", "role trust policy (the resource policy for sts:AssumeRole)")
	fl.StringArrayVar(&f.sessions, "session-policy", nil, "session policy (repeatable)")
	fl.StringArrayVar(&f.scps, "scp", nil, "service control policies of one organization level, comma-separated (repeat per level)")
	fl.StringVar(&f.principal, "principal", "", "caller ARN (user, role, assumed-role session, root), service principal, or *")
	fl.StringVar(&f.action, "action", "", "action, e.g. ecs:RunTask")
	fl.StringVar(&f.resource, "resource", "*", "resource ARN")
	fl.StringVar(&f.acct, "resource-account", "", "account that owns the resource (default: from the ARN, else the caller's)")
	fl.StringArrayVar(&f.contexts, "context", nil, "condition key value, key=value (repeatable)")
	fl.StringVar(&f.cases, "cases", "", "batch mode: JSON lines file of requests, - for stdin")
	fl.StringVar(&f.expect, "expect", "", "exit 1 unless the decision is this: allow, deny, explicit-deny, implicit-deny")
	fl.BoolVar(&f.asJSON, "json", false, "print the decision as JSON")
	return cmd
}

// evalOutput is one decision as printed with --json and in batch mode.
type evalOutput struct {
	ID       string         `json:"id,omitempty"`
	Decision string         `json:"decision,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Matched  []matchedJSON  `json:"matched"`
	Error    string         `json:"error,omitempty"`
	Missing  []string       `json:"missingContextValues,omitempty"`
	Request  map[string]any `json:"-"`
}

type matchedJSON struct {
	Policy    string `json:"policy"`
	Type      string `json:"type"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect"`
}

func runEvalOne(cmd *cobra.Command, f *evalFlags) error {
	if f.principal == "" || f.action == "" {
		return &exitError{code: 2, msg: "--principal and --action are required (or use --cases)"}
	}
	stdin := cmd.InOrStdin()
	var set policy.Set
	var err error
	load := func(ref string, typ policy.Type) *policy.Policy {
		if err != nil {
			return nil
		}
		var p *policy.Policy
		p, err = loadPolicyRef(stdin, ref, typ)
		return p
	}
	for _, ref := range f.policies {
		set.Identity = append(set.Identity, load(ref, policy.TypeIdentity))
	}
	if f.boundary != "" {
		set.Boundary = load(f.boundary, policy.TypeBoundary)
	}
	if f.resourcePolicy != "" && f.trust != "" {
		return &exitError{code: 2, msg: "give --resource-policy or --trust-policy, not both"}
	}
	if f.resourcePolicy != "" {
		set.Resource = load(f.resourcePolicy, policy.TypeResource)
	}
	if f.trust != "" {
		set.Resource = load(f.trust, policy.TypeTrust)
	}
	for _, ref := range f.sessions {
		set.Session = append(set.Session, load(ref, policy.TypeSession))
	}
	for _, lvl := range f.scps {
		var level []*policy.Policy
		for _, ref := range strings.Split(lvl, ",") {
			level = append(level, load(ref, policy.TypeSCP))
		}
		set.SCPs = append(set.SCPs, level)
	}
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	ctxVals := map[string][]string{}
	var order []string
	for _, kv := range f.contexts {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return &exitError{code: 2, msg: fmt.Sprintf("--context %q: want key=value", kv)}
		}
		if _, seen := ctxVals[k]; !seen {
			order = append(order, k)
		}
		ctxVals[k] = append(ctxVals[k], v)
	}
	req, err := buildRequest(f.principal, f.action, f.resource, f.acct, func(c *policy.Context) {
		for _, k := range order {
			c.Set(k, ctxVals[k]...)
		}
	})
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	var res policy.Result
	policy.NewEvaluator(set).Evaluate(req, &res)
	out := toOutput("", &res)
	w := cmd.OutOrStdout()
	if f.asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else {
		fmt.Fprintf(w, "%s", out.Decision)
		if out.Reason != "" {
			fmt.Fprintf(w, ": %s", out.Reason)
		}
		fmt.Fprintln(w)
		for _, m := range out.Matched {
			sid := ""
			if m.Sid != "" {
				sid = " (Sid " + m.Sid + ")"
			}
			fmt.Fprintf(w, "  %-5s %s policy %s, Statement[%d]%s\n", m.Effect, m.Type, m.Policy, m.Statement, sid)
		}
		if res.Decision != policy.Allowed {
			fmt.Fprintln(w, " ", policy.DenialMessage(&req.Principal, req.Action, req.Resource, res.Reason))
		}
	}
	if f.expect != "" && !decisionIs(res.Decision, f.expect) {
		return &exitError{code: 1, msg: fmt.Sprintf("expected %s, got %s", f.expect, res.Decision)}
	}
	return nil
}

func decisionIs(d policy.Decision, want string) bool {
	switch strings.ToLower(want) {
	case "allow":
		return d == policy.Allowed
	case "deny":
		return d != policy.Allowed
	case "explicit-deny", "explicitdeny":
		return d == policy.ExplicitDeny
	case "implicit-deny", "implicitdeny":
		return d == policy.ImplicitDeny
	}
	return false
}

func toOutput(id string, res *policy.Result) evalOutput {
	out := evalOutput{ID: id, Decision: res.Decision.String(), Reason: res.Reason.String(), Matched: make([]matchedJSON, 0, len(res.Matched))}
	for _, m := range res.Matched {
		out.Matched = append(out.Matched, matchedJSON{Policy: m.Policy, Type: m.PolicyType.String(), Statement: m.Statement, Sid: m.Sid, Effect: string(m.Effect)})
	}
	return out
}

// buildRequest fills the global condition keys AWS would derive from the
// caller and time, then lets the explicit context override them.
func buildRequest(principal, action, resource, resourceAccount string, explicit func(*policy.Context)) (*policy.Request, error) {
	p, err := policy.PrincipalFromARN(principal)
	if err != nil {
		return nil, err
	}
	if resourceAccount == "" {
		if a, err := arn.Parse(resource); err == nil {
			resourceAccount = a.AccountID
		}
	}
	if resourceAccount == "" {
		resourceAccount = p.Account
	}
	ctx := policy.NewContext()
	ctx.SetGlobal(policy.GlobalKeys{Principal: p, Now: time.Now(), ResourceAccount: resourceAccount})
	if explicit != nil {
		explicit(ctx)
	}
	return &policy.Request{Principal: p, Action: action, Resource: resource, ResourceAccount: resourceAccount, Context: ctx}, nil
}

// loadPolicyRef reads a policy from a file, standard input ("-"), or the
// embedded AWS managed policies (by ARN or name).
func loadPolicyRef(stdin io.Reader, ref string, typ policy.Type) (*policy.Policy, error) {
	if strings.HasPrefix(ref, "arn:aws:iam::aws:policy/") {
		mp, ok := catalog.LookupManagedPolicy(ref)
		if !ok {
			return nil, fmt.Errorf("no AWS managed policy %s", ref)
		}
		return compileNamed([]byte(mp.Document), typ, mp.ARN)
	}
	data, err := readInput(stdin, ref)
	if err != nil {
		if mp, ok := catalog.LookupManagedPolicy(ref); ok {
			return compileNamed([]byte(mp.Document), typ, mp.ARN)
		}
		return nil, err
	}
	return compileNamed(data, typ, ref)
}

func compileNamed(data []byte, typ policy.Type, name string) (*policy.Policy, error) {
	doc, err := policy.Check(data, policy.CheckOptions{Type: typ})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, err := policy.Compile(doc, typ, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

func readInput(stdin io.Reader, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(stdin, 16<<20))
	}
	return os.ReadFile(name)
}

// caseInput is one line of --cases.
type caseInput struct {
	ID                  string                     `json:"id"`
	IdentityPolicies    []json.RawMessage          `json:"identityPolicies"`
	ResourcePolicy      json.RawMessage            `json:"resourcePolicy"`
	TrustPolicy         json.RawMessage            `json:"trustPolicy"`
	PermissionsBoundary json.RawMessage            `json:"permissionsBoundary"`
	SessionPolicies     []json.RawMessage          `json:"sessionPolicies"`
	SCPLevels           [][]json.RawMessage        `json:"scpLevels"`
	RCPLevels           [][]json.RawMessage        `json:"rcpLevels"`
	Principal           string                     `json:"principal"`
	Action              string                     `json:"action"`
	Resource            string                     `json:"resource"`
	ResourceAccount     string                     `json:"resourceAccount"`
	Context             map[string]json.RawMessage `json:"context"`
}

func runEvalCases(cmd *cobra.Command, name string) error {
	var in io.Reader
	if name == "-" {
		in = cmd.InOrStdin()
	} else {
		f, err := os.Open(name)
		if err != nil {
			return &exitError{code: 2, msg: err.Error()}
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	w := bufio.NewWriter(cmd.OutOrStdout())
	defer w.Flush()
	enc := json.NewEncoder(w)
	var res policy.Result
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		out := evalCase([]byte(text), line, &res)
		if out.Error != "" {
			_ = enc.Encode(struct {
				ID    string `json:"id"`
				Error string `json:"error"`
			}{out.ID, out.Error})
			continue
		}
		_ = enc.Encode(out)
	}
	if err := sc.Err(); err != nil {
		return &exitError{code: 2, msg: fmt.Sprintf("reading cases: %v", err)}
	}
	return nil
}

func evalCase(text []byte, line int, res *policy.Result) evalOutput {
	var c caseInput
	dec := json.NewDecoder(strings.NewReader(string(text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var probe struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(text, &probe)
		return evalOutput{ID: probe.ID, Error: fmt.Sprintf("line %d: %v", line, err), Matched: nil}
	}
	fail := func(err error) evalOutput { return evalOutput{ID: c.ID, Error: fmt.Sprintf("line %d: %v", line, err)} }
	if c.Principal == "" || c.Action == "" {
		return fail(fmt.Errorf("principal and action are required"))
	}
	if c.Resource == "" {
		c.Resource = "*"
	}
	var set policy.Set
	for i, raw := range c.IdentityPolicies {
		p, err := casePolicy(raw, policy.TypeIdentity, fmt.Sprintf("identityPolicies[%d]", i))
		if err != nil {
			return fail(err)
		}
		set.Identity = append(set.Identity, p)
	}
	if isPresent(c.ResourcePolicy) && isPresent(c.TrustPolicy) {
		return fail(fmt.Errorf("give resourcePolicy or trustPolicy, not both"))
	}
	var err error
	if isPresent(c.ResourcePolicy) {
		if set.Resource, err = casePolicy(c.ResourcePolicy, policy.TypeResource, "resourcePolicy"); err != nil {
			return fail(err)
		}
	}
	if isPresent(c.TrustPolicy) {
		if set.Resource, err = casePolicy(c.TrustPolicy, policy.TypeTrust, "trustPolicy"); err != nil {
			return fail(err)
		}
	}
	if isPresent(c.PermissionsBoundary) {
		if set.Boundary, err = casePolicy(c.PermissionsBoundary, policy.TypeBoundary, "permissionsBoundary"); err != nil {
			return fail(err)
		}
	}
	for i, raw := range c.SessionPolicies {
		p, err := casePolicy(raw, policy.TypeSession, fmt.Sprintf("sessionPolicies[%d]", i))
		if err != nil {
			return fail(err)
		}
		set.Session = append(set.Session, p)
	}
	for name, levels := range map[string][][]json.RawMessage{"scpLevels": c.SCPLevels, "rcpLevels": c.RCPLevels} {
		typ := policy.TypeSCP
		if name == "rcpLevels" {
			typ = policy.TypeRCP
		}
		var out [][]*policy.Policy
		for i, lvl := range levels {
			var ps []*policy.Policy
			for j, raw := range lvl {
				p, err := casePolicy(raw, typ, fmt.Sprintf("%s[%d][%d]", name, i, j))
				if err != nil {
					return fail(err)
				}
				ps = append(ps, p)
			}
			out = append(out, ps)
		}
		if typ == policy.TypeSCP {
			set.SCPs = out
		} else {
			set.RCPs = out
		}
	}
	var ctxErr error
	req, err := buildRequest(c.Principal, c.Action, c.Resource, c.ResourceAccount, func(ctx *policy.Context) {
		for k, raw := range c.Context {
			vs, err := contextValues(raw)
			if err != nil {
				ctxErr = fmt.Errorf("context %q: %v", k, err)
				return
			}
			ctx.Set(k, vs...)
		}
	})
	if err != nil {
		return fail(err)
	}
	if ctxErr != nil {
		return fail(ctxErr)
	}
	policy.NewEvaluator(set).Evaluate(req, res)
	return toOutput(c.ID, res)
}

func isPresent(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null"
}

// casePolicy accepts a policy as a JSON object, as a string holding the
// JSON text, or as the ARN or name of an AWS managed policy.
func casePolicy(raw json.RawMessage, typ policy.Type, name string) (*policy.Policy, error) {
	data := []byte(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if mp, ok := catalog.LookupManagedPolicy(s); ok {
			return compileNamed([]byte(mp.Document), typ, mp.ARN)
		}
		data = []byte(s)
	}
	return compileNamed(data, typ, name)
}

// contextValues accepts a string, number, boolean or an array of them.
func contextValues(raw json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		out := make([]string, 0, len(list))
		for _, item := range list {
			v, err := scalarText(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	v, err := scalarText(raw)
	if err != nil {
		return nil, err
	}
	return []string{v}, nil
}

func scalarText(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	t := strings.TrimSpace(string(raw))
	if t == "true" || t == "false" {
		return t, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("values must be strings, numbers, booleans or arrays of them")
}
