package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLookupAction(t *testing.T) {
	a, ok := LookupAction("ecs:RegisterContainerInstance")
	if !ok {
		t.Fatal("ecs:RegisterContainerInstance not found")
	}
	if a.Service != "ecs" || a.Name != "RegisterContainerInstance" || a.FullName() != "ecs:RegisterContainerInstance" {
		t.Errorf("got %q / %q / %q", a.Service, a.Name, a.FullName())
	}
	if a.AccessLevel != AccessWrite {
		t.Errorf("access level = %q, want Write", a.AccessLevel)
	}
	if len(a.ResourceTypes) != 1 || a.ResourceTypes[0].Name != "cluster" || !a.ResourceTypes[0].Required {
		t.Errorf("resource types = %+v, want required cluster", a.ResourceTypes)
	}
	if !slices.Contains(a.ConditionKeys, "aws:RequestTag/${TagKey}") {
		t.Errorf("condition keys = %v, want aws:RequestTag/${TagKey}", a.ConditionKeys)
	}

	// Case-insensitive, canonical result.
	b, ok := LookupAction("ECS:registercontainerinstance")
	if !ok || b.FullName() != "ecs:RegisterContainerInstance" {
		t.Errorf("case-insensitive lookup = %q, %v", b.FullName(), ok)
	}

	for _, bad := range []string{"", "ecs", "ecs:", ":RegisterContainerInstance", "ecs:RegisterContainerInstanse",
		"nosuchservice:Get", "ecs:*", "ecs:Register?ontainerInstance", strings.Repeat("a", 300)} {
		if _, ok := LookupAction(bad); ok {
			t.Errorf("LookupAction(%q) found something", bad)
		}
	}
}

func TestAccessLevels(t *testing.T) {
	cases := map[string]AccessLevel{
		"s3:GetObject":       AccessRead,
		"ecs:ListClusters":   AccessList,
		"iam:CreateRole":     AccessWrite,
		"iam:PutRolePolicy":  AccessPermissionsManagement,
		"iam:TagRole":        AccessTagging,
		"iam:PassRole":       AccessWrite,
		"sts:AssumeRole":     AccessWrite,
		"iam:GetRole":        AccessRead,
		"ec2:DescribeImages": AccessList,
	}
	for name, want := range cases {
		a, ok := LookupAction(name)
		if !ok {
			t.Errorf("%s not found", name)
			continue
		}
		if a.AccessLevel != want {
			t.Errorf("%s access level = %q, want %q", name, a.AccessLevel, want)
		}
	}
	valid := map[AccessLevel]bool{AccessList: true, AccessRead: true, AccessWrite: true, AccessPermissionsManagement: true, AccessTagging: true}
	for _, s := range Services() {
		for _, a := range s.Actions {
			if !valid[a.AccessLevel] {
				t.Fatalf("%s has access level %q", a.FullName(), a.AccessLevel)
			}
		}
	}
}

func TestPassRoleConditionKeys(t *testing.T) {
	a, ok := LookupAction("iam:passrole")
	if !ok {
		t.Fatal("iam:PassRole not found")
	}
	if !slices.Contains(a.ConditionKeys, "iam:PassedToService") {
		t.Errorf("iam:PassRole condition keys = %v", a.ConditionKeys)
	}
	k, ok := LookupConditionKey("iam:PassedToService")
	if !ok || k.Type != "String" || k.MultiValued || k.Global {
		t.Errorf("iam:PassedToService = %+v, %v", k, ok)
	}
}

func TestExpandActions(t *testing.T) {
	got := ExpandActions("ecs:Submit*")
	for _, want := range []string{"ecs:SubmitAttachmentStateChanges", "ecs:SubmitContainerStateChange", "ecs:SubmitTaskStateChange"} {
		if !slices.Contains(got, want) {
			t.Errorf("ecs:Submit* lacks %s: %v", want, got)
		}
	}
	for _, n := range got {
		if !strings.HasPrefix(n, "ecs:Submit") {
			t.Errorf("ecs:Submit* yielded %s", n)
		}
	}
	if !slices.IsSorted(got) {
		t.Errorf("not sorted: %v", got)
	}
	if again := ExpandActions("ECS:submit*"); !slices.Equal(again, got) {
		t.Errorf("case-insensitive expansion differs: %v vs %v", again, got)
	}

	all := ExpandActions("*")
	if len(all) < 20000 {
		t.Errorf("* expanded to only %d actions", len(all))
	}
	if !slices.IsSorted(all) {
		t.Error("* expansion not sorted")
	}
	// Mutating a result must not disturb the catalog.
	all[0] = "mutated"
	if ExpandActions("*")[0] == "mutated" {
		t.Error("ExpandActions shares its result with the catalog")
	}

	desc := ExpandActions("ec2:Describe*")
	if len(desc) < 100 || !slices.Contains(desc, "ec2:DescribeInstances") {
		t.Errorf("ec2:Describe* = %d actions", len(desc))
	}

	// '?' matches exactly one character.
	if got := ExpandActions("s3:Get?bject"); !slices.Equal(got, []string{"s3:GetObject"}) {
		t.Errorf("s3:Get?bject = %v", got)
	}
	// Wildcards in the service part, and a sorted merge across services
	// whose prefixes sort differently from their full names.
	multi := ExpandActions("ec2*:Send*")
	if !slices.IsSorted(multi) {
		t.Errorf("ec2*:Send* not sorted: %v", multi)
	}
	if !slices.Contains(multi, "ec2-instance-connect:SendSSHPublicKey") {
		t.Errorf("ec2*:Send* = %v", multi)
	}
	if got := ExpandActions("iam:Pass*"); !slices.Equal(got, []string{"iam:PassRole"}) {
		t.Errorf("iam:Pass* = %v", got)
	}
	if got := ExpandActions("*:PassRole"); !slices.Equal(got, []string{"iam:PassRole"}) {
		t.Errorf("*:PassRole = %v", got)
	}
	// A pattern without a colon is matched against the whole name.
	if got := ExpandActions("*PassRole"); !slices.Contains(got, "iam:PassRole") {
		t.Errorf("*PassRole = %v", got)
	}

	for _, none := range []string{"", "ecs:NoSuch*", "nosuch:*", "nosuch*:*", "a:b:c", "ecs"} {
		if got := ExpandActions(none); got != nil {
			t.Errorf("ExpandActions(%q) = %v, want nil", none, got)
		}
	}
}

// ExpandActions must agree with a brute-force scan over every action.
func TestExpandActionsAgreesWithScan(t *testing.T) {
	var all []string
	for _, s := range Services() {
		for _, a := range s.Actions {
			all = append(all, a.FullName())
		}
	}
	slices.Sort(all)
	if !slices.Equal(all, ExpandActions("*")) {
		t.Fatal("ExpandActions(\"*\") differs from the catalog's actions")
	}
	for _, p := range []string{"ecs:*", "ec2*:*", "*:List*", "s3*", "?3:*Object", "iam:*Role*", "*:*Tag*", "e*s:Desc*"} {
		var want []string
		for _, n := range all {
			if matchFoldRef(p, n) {
				want = append(want, n)
			}
		}
		if got := ExpandActions(p); !slices.Equal(got, want) {
			t.Errorf("ExpandActions(%q): %d results, brute force %d", p, len(got), len(want))
		}
	}
}

// matchFoldRef is a deliberately naive recursive matcher used only to
// cross-check ExpandActions' shortcuts.
func matchFoldRef(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if matchFoldRef(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && matchFoldRef(p[1:], s[1:])
	}
	return s != "" && strings.EqualFold(p[:1], s[:1]) && matchFoldRef(p[1:], s[1:])
}

func TestLookupService(t *testing.T) {
	s, ok := LookupService("ECS")
	if !ok || s.Prefix != "ecs" || s.Name == "" {
		t.Fatalf("LookupService(ECS) = %+v, %v", s, ok)
	}
	if !slices.IsSortedFunc(s.Actions, func(a, b Action) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("ecs actions not sorted by name")
	}
	var cluster *ResourceType
	for i := range s.ResourceTypes {
		if s.ResourceTypes[i].Name == "cluster" {
			cluster = &s.ResourceTypes[i]
		}
	}
	if cluster == nil || len(cluster.ARNFormats) != 1 || cluster.ARNFormats[0] != "arn:${Partition}:ecs:${Region}:${Account}:cluster/${ClusterName}" {
		t.Errorf("ecs cluster resource type = %+v", cluster)
	}
	if _, ok := LookupService("nosuchservice"); ok {
		t.Error("unknown service found")
	}
	if _, ok := LookupService(""); ok {
		t.Error("empty service found")
	}

	svcs := Services()
	if len(svcs) < 400 {
		t.Errorf("only %d services", len(svcs))
	}
	if !slices.IsSortedFunc(svcs, func(a, b *Service) int { return strings.Compare(a.Prefix, b.Prefix) }) {
		t.Error("Services not sorted by prefix")
	}
	for _, s := range svcs {
		if s.Prefix != strings.ToLower(s.Prefix) {
			t.Errorf("prefix %q not lowercase", s.Prefix)
		}
		for _, a := range s.Actions {
			if a.Service != s.Prefix {
				t.Errorf("%s belongs to %s", a.FullName(), s.Prefix)
			}
		}
	}
}

func TestLookupConditionKey(t *testing.T) {
	cases := []struct {
		key         string
		name        string
		typ         ConditionKeyType
		multi, glob bool
	}{
		{"aws:RequestTag/Team", "aws:RequestTag/${TagKey}", "String", false, true},
		{"AWS:requesttag/team", "aws:RequestTag/${TagKey}", "String", false, true},
		{"aws:PrincipalTag/x", "aws:PrincipalTag/${TagKey}", "String", false, true},
		{"aws:ResourceTag/kubernetes.io/cluster/prod", "aws:ResourceTag/${TagKey}", "String", false, true},
		{"aws:RequestTag/${TagKey}", "aws:RequestTag/${TagKey}", "String", false, true},
		{"aws:TagKeys", "aws:TagKeys", "ArrayOfString", true, true},
		{"aws:SourceIp", "aws:SourceIp", "IPAddress", false, true},
		{"aws:sourceip", "aws:SourceIp", "IPAddress", false, true},
		{"aws:CurrentTime", "aws:CurrentTime", "Date", false, true},
		{"aws:EpochTime", "aws:EpochTime", "Date", false, true},
		{"aws:SecureTransport", "aws:SecureTransport", "Bool", false, true},
		{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthPresent", "Bool", false, true},
		{"aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", "Numeric", false, true},
		{"aws:PrincipalArn", "aws:PrincipalArn", "ARN", false, true},
		{"aws:SourceArn", "aws:SourceArn", "ARN", false, true},
		{"aws:CalledVia", "aws:CalledVia", "ArrayOfString", true, true},
		{"aws:PrincipalOrgPaths", "aws:PrincipalOrgPaths", "ArrayOfString", true, true},
		{"aws:userid", "aws:userid", "String", false, true},
		{"aws:username", "aws:username", "String", false, true},
		{"aws:PrincipalServiceName", "aws:PrincipalServiceName", "String", false, true},
		{"aws:SourceIdentity", "aws:SourceIdentity", "String", false, true},
		{"aws:ResourceAccount", "aws:ResourceAccount", "String", false, true},
		{"aws:TokenIssueTime", "aws:TokenIssueTime", "Date", false, true},
		{"aws:ViaAWSService", "aws:ViaAWSService", "Bool", false, true},
		{"aws:RequestedRegion", "aws:RequestedRegion", "String", false, true},
		{"ecs:ResourceTag/x", "ecs:ResourceTag/${TagKey}", "String", false, false},
		{"iam:ResourceTag/Dept", "iam:ResourceTag/${TagKey}", "String", false, false},
		{"s3:ExistingObjectTag/k", "s3:ExistingObjectTag/<key>", "String", false, false},
		{"kms:EncryptionContext:aws:cloudtrail:arn", "kms:EncryptionContext:${EncryptionContextKey}", "String", false, false},
		{"sts:ExternalId", "sts:ExternalId", "String", false, false},
		{"sts:TransitiveTagKeys", "sts:TransitiveTagKeys", "ArrayOfString", true, false},
		{"iam:PermissionsBoundary", "iam:PermissionsBoundary", "ARN", false, false},
		{"saml:aud", "saml:aud", "String", false, false},
		// identitystore:UserId is typed String by identitystore and
		// ArrayOfString by q and qbusiness; its own service wins.
		{"identitystore:UserId", "identitystore:UserId", "String", false, false},
	}
	for _, c := range cases {
		k, ok := LookupConditionKey(c.key)
		if !ok {
			t.Errorf("%s: not found", c.key)
			continue
		}
		if k.Name != c.name || k.Type != c.typ || k.MultiValued != c.multi || k.Global != c.glob {
			t.Errorf("%s = %+v, want {%s %s %v %v}", c.key, k, c.name, c.typ, c.multi, c.glob)
		}
	}
	for _, bad := range []string{"", "aws:", "aws:NoSuchKey", "aws:RequestTag/", "aws:RequestTag", "nosuch:Key",
		"ecs:ResourceTag/", "s3:ExistingObjectTag/", "iam:PassedToServiceX"} {
		if k, ok := LookupConditionKey(bad); ok {
			t.Errorf("LookupConditionKey(%q) = %+v", bad, k)
		}
	}
}

func TestServiceConditionKeys(t *testing.T) {
	s, _ := LookupService("ecs")
	var tagKeys *ConditionKey
	for i := range s.ConditionKeys {
		if s.ConditionKeys[i].Name == "aws:TagKeys" {
			tagKeys = &s.ConditionKeys[i]
		}
	}
	if tagKeys == nil || !tagKeys.Global || !tagKeys.MultiValued || tagKeys.Type != "ArrayOfString" {
		t.Errorf("ecs aws:TagKeys = %+v", tagKeys)
	}
	// Every key an action or resource type mentions is declared by its
	// service, so LookupConditionKey can describe it.
	for _, s := range Services() {
		for _, a := range s.Actions {
			for _, k := range a.ConditionKeys {
				if _, ok := LookupConditionKey(k); !ok {
					t.Errorf("%s: key %s unknown", a.FullName(), k)
				}
			}
		}
	}
}

func TestManagedPolicies(t *testing.T) {
	all := ManagedPolicies()
	if len(all) != 1485 {
		t.Errorf("%d managed policies, want 1485", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b ManagedPolicy) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("managed policies not sorted by name")
	}
	for _, p := range all {
		if p.ARN != "arn:aws:iam::aws:policy"+p.Path+p.Name || p.DefaultVersionID == "" ||
			p.CreateDate.IsZero() || p.UpdateDate.Before(p.CreateDate) || !json.Valid([]byte(p.Document)) {
			t.Errorf("bad managed policy %+v", p)
			break
		}
	}

	p, ok := LookupManagedPolicy("AmazonEC2ContainerServiceforEC2Role")
	if !ok {
		t.Fatal("AmazonEC2ContainerServiceforEC2Role missing")
	}
	if p.Path != "/service-role/" || p.ARN != "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role" {
		t.Errorf("path/ARN = %q %q", p.Path, p.ARN)
	}
	if want := time.Date(2015, 3, 19, 18, 45, 18, 0, time.UTC); !p.CreateDate.Equal(want) {
		t.Errorf("CreateDate = %v, want %v", p.CreateDate, want)
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect string
			Action json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
		t.Fatalf("document: %v", err)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
		t.Errorf("document = %+v", doc)
	}
	if !strings.Contains(p.Document, `"ecs:RegisterContainerInstance"`) {
		t.Error("document lacks ecs:RegisterContainerInstance")
	}

	byARN, ok := LookupManagedPolicy("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
	if !ok || byARN.Name != p.Name {
		t.Errorf("lookup by ARN = %q, %v", byARN.Name, ok)
	}
	full, ok := LookupManagedPolicy("AmazonECS_FullAccess")
	if !ok || full.ARN != "arn:aws:iam::aws:policy/AmazonECS_FullAccess" || full.Path != "/" {
		t.Errorf("AmazonECS_FullAccess = %+v, %v", full.ARN, ok)
	}
	if _, ok := LookupManagedPolicy("arn:aws:iam::aws:policy/AmazonECS_FullAccess"); !ok {
		t.Error("AmazonECS_FullAccess by ARN missing")
	}
	for _, bad := range []string{"", "NoSuchPolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerServiceforEC2Role",
		"arn:aws:iam::123456789012:policy/AmazonECS_FullAccess", "amazonecs_fullaccess"} {
		if _, ok := LookupManagedPolicy(bad); ok {
			t.Errorf("LookupManagedPolicy(%q) found something", bad)
		}
	}

	// The result is the caller's.
	all[0].Name = "mutated"
	if ManagedPolicies()[0].Name == "mutated" {
		t.Error("ManagedPolicies shares its slice")
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	// Run under -race this exercises the lazy decode from many goroutines.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, ok := LookupAction("ecs:RunTask"); !ok {
				t.Error("ecs:RunTask missing")
			}
			if _, ok := LookupManagedPolicy("ReadOnlyAccess"); !ok {
				t.Error("ReadOnlyAccess missing")
			}
		})
	}
	wg.Wait()
}

func TestLookupActionAllocs(t *testing.T) {
	load()
	if n := testing.AllocsPerRun(100, func() { LookupAction("ECS:registerContainerInstance") }); n != 0 {
		t.Errorf("LookupAction allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { LookupConditionKey("aws:RequestTag/Team") }); n != 0 {
		t.Errorf("LookupConditionKey allocates %v times", n)
	}
}

func BenchmarkLookupAction(b *testing.B) {
	load()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := LookupAction("ecs:registercontainerinstance"); !ok {
			b.Fatal("missing")
		}
	}
}

func BenchmarkExpandActions(b *testing.B) {
	load()
	b.ReportAllocs()
	for b.Loop() {
		if len(ExpandActions("ec2:Describe*")) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkLookupConditionKeyTemplated(b *testing.B) {
	load()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := LookupConditionKey("ecs:ResourceTag/team"); !ok {
			b.Fatal("missing")
		}
	}
}

// BenchmarkDecode measures the one-time cost the first caller pays.
func BenchmarkDecode(b *testing.B) {
	b.Run("catalog", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decodeCatalog()
		}
	})
	b.Run("managed-policies", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decodePolicies()
		}
	})
}

func TestTagKeyPlaceholderSpellings(t *testing.T) {
	for _, key := range []string{"secretsmanager:ResourceTag/owner", "ssm:resourceTag/env", "glacier:ResourceTag/team"} {
		if _, ok := LookupConditionKey(key); !ok {
			t.Errorf("%s not found", key)
		}
	}
}
