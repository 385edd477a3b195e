package wildcard

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"ecs:Submit*", "ecs:SubmitTaskStateChange", true},
		{"ecs:Submit*", "ecs:Submit", true},
		{"ecs:Submit*", "ecs:submitTask", false},
		{"ec2:Describe*", "ec2:DescribeInstances", true},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get?bject", "s3:Getbject", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*/*", "bucket/key", true},
		{"*/*", "bucket", false},
		{"a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"??", "ab", true},
		{"??", "abc", false},
		{"*?", "", false},
	}
	for _, c := range cases {
		if got := Match(c.p, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func TestMatchFold(t *testing.T) {
	if !MatchFold("ECS:submit*", "ecs:SubmitTaskStateChange") {
		t.Error("MatchFold should ignore case")
	}
	if Match("ECS:submit*", "ecs:SubmitTaskStateChange") {
		t.Error("Match must be case-sensitive")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "aXbYc")
	f.Add("*", "")
	f.Fuzz(func(t *testing.T, p, s string) {
		got := Match(p, s)
		if !HasWildcard(p) && got != (p == s) {
			t.Fatalf("literal pattern %q vs %q: got %v", p, s, got)
		}
		if p == "*" && !got {
			t.Fatalf("* must match %q", s)
		}
		if MatchFold(p, s) == false && got {
			t.Fatalf("fold match must accept whatever exact match accepts")
		}
	})
}
