package catalog

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestGeneratedDataUpToDate regenerates the embedded files from the shared
// AWS data and checks the committed copies match, so a stale or hand-edited
// data file cannot go unnoticed. It compares decompressed content: gzip's
// output may legitimately change between Go releases, the data may not.
func TestGeneratedDataUpToDate(t *testing.T) {
	shared := filepath.Join("..", "..", "shared")
	catalogJSON := filepath.Join(shared, "data", "iam-catalog.json")
	if _, err := os.Stat(catalogJSON); err != nil {
		t.Skipf("shared AWS data not available: %v", err)
	}
	if testing.Short() {
		t.Skip("runs the generator; skipped in -short mode")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "../internal/gen/catalog",
		"-catalog", catalogJSON,
		"-policies", filepath.Join(shared, "data", "aws-managed-policies.json"),
		"-globals", filepath.Join(shared, "reference", "aws-docs", "reference_policies_condition-keys.md"),
		"-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	for _, name := range []string{"services.tsv.gz", "managed-policies.tsv.gz"} {
		fresh := gunzipFile(t, filepath.Join(out, name))
		committed := gunzipFile(t, filepath.Join("data", name))
		if !bytes.Equal(fresh, committed) {
			t.Errorf("data/%s is stale: run go generate ./catalog", name)
		}
		// Same generator, same toolchain: the compressed bytes must match
		// too, which is what keeps re-generation from producing noise diffs.
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join("data", name))
		if !bytes.Equal(a, b) {
			t.Logf("data/%s: content matches but gzip bytes differ (different Go release?)", name)
		}
	}

	// Running twice yields identical bytes.
	out2 := t.TempDir()
	cmd.Args[len(cmd.Args)-1] = out2
	cmd2 := exec.Command(cmd.Args[0], cmd.Args[1:]...)
	if msg, err := cmd2.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, msg)
	}
	for _, name := range []string{"services.tsv.gz", "managed-policies.tsv.gz"} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(out2, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func gunzipFile(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// TestMatchesSource cross-checks the decoded catalog against the original
// JSON, so a bug in either the generator's encoding or the package's
// decoding shows up as a concrete difference rather than a missing action.
func TestMatchesSource(t *testing.T) {
	shared := filepath.Join("..", "..", "shared", "data")
	raw, err := os.ReadFile(filepath.Join(shared, "iam-catalog.json"))
	if err != nil {
		t.Skipf("shared AWS data not available: %v", err)
	}
	var src struct {
		Services map[string]struct {
			Name    string
			Actions map[string]struct {
				AccessLevel      string
				ConditionKeys    []string
				DependentActions []string
				ResourceTypes    []struct {
					Name          string
					Required      bool
					ConditionKeys []string
				}
			}
			ConditionKeys map[string]struct{ Type string }
			ResourceTypes map[string]struct {
				ARN           string
				ConditionKeys []string
			}
		}
	}
	if err := json.Unmarshal(raw, &src); err != nil {
		t.Fatal(err)
	}
	if got, want := len(Services()), len(src.Services); got != want {
		t.Errorf("%d services, source has %d", got, want)
	}
	nActions := 0
	for prefix, ss := range src.Services {
		s, ok := LookupService(prefix)
		if !ok {
			t.Errorf("service %s missing", prefix)
			continue
		}
		if s.Name != ss.Name || len(s.Actions) != len(ss.Actions) ||
			len(s.ResourceTypes) != len(ss.ResourceTypes) || len(s.ConditionKeys) != len(ss.ConditionKeys) {
			t.Errorf("service %s: shape differs from source", prefix)
			continue
		}
		for _, k := range s.ConditionKeys {
			if string(k.Type) != ss.ConditionKeys[k.Name].Type {
				t.Errorf("%s key %s: type %s, source %s", prefix, k.Name, k.Type, ss.ConditionKeys[k.Name].Type)
			}
		}
		for _, rt := range s.ResourceTypes {
			srt := ss.ResourceTypes[rt.Name]
			if !slices.Equal(rt.ARNFormats, []string{srt.ARN}) || !sameSet(rt.ConditionKeys, srt.ConditionKeys) {
				t.Errorf("%s resource %s differs: %+v vs %+v", prefix, rt.Name, rt, srt)
			}
		}
		for name, sa := range ss.Actions {
			nActions++
			a, ok := LookupAction(prefix + ":" + name)
			if !ok || a.Name != name {
				t.Errorf("%s:%s missing", prefix, name)
				continue
			}
			level, _, _ := strings.Cut(sa.AccessLevel, ",") // "Tagging, Write" -> "Tagging"
			if string(a.AccessLevel) != level {
				t.Errorf("%s: level %q, source %q", a.FullName(), a.AccessLevel, sa.AccessLevel)
			}
			if !sameSet(a.ConditionKeys, sa.ConditionKeys) || !sameSet(a.DependentActions, sa.DependentActions) {
				t.Errorf("%s: keys/dependencies differ", a.FullName())
			}
			if len(a.ResourceTypes) != len(sa.ResourceTypes) {
				t.Errorf("%s: %d resource types, source %d", a.FullName(), len(a.ResourceTypes), len(sa.ResourceTypes))
				continue
			}
			for i, r := range a.ResourceTypes {
				sr := sa.ResourceTypes[i]
				if r.Name != sr.Name || r.Required != sr.Required || !sameSet(r.ConditionKeys, sr.ConditionKeys) {
					t.Errorf("%s resource %d: %+v, source %+v", a.FullName(), i, r, sr)
				}
			}
		}
	}
	if got := len(ExpandActions("*")); got != nActions {
		t.Errorf("%d actions, source has %d", got, nActions)
	}

	raw, err = os.ReadFile(filepath.Join(shared, "aws-managed-policies.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pols map[string]struct {
		Path, DefaultVersionId string
		CreateDate, UpdateDate time.Time
		Document               any
	}
	if err := json.Unmarshal(raw, &pols); err != nil {
		t.Fatal(err)
	}
	if got := len(ManagedPolicies()); got != len(pols) {
		t.Errorf("%d managed policies, source has %d", got, len(pols))
	}
	for name, sp := range pols {
		p, ok := LookupManagedPolicy(name)
		if !ok {
			t.Errorf("policy %s missing", name)
			continue
		}
		var doc any
		if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
			t.Errorf("policy %s: %v", name, err)
			continue
		}
		if p.Path != sp.Path || p.DefaultVersionID != sp.DefaultVersionId || !p.CreateDate.Equal(sp.CreateDate) ||
			!p.UpdateDate.Equal(sp.UpdateDate) || !reflect.DeepEqual(doc, sp.Document) {
			t.Errorf("policy %s differs from source", name)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
