package iam

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// Paging users, groups and instance profiles with any page size, with or
// without a path prefix, visits each matching entity once, in name order
// without regard to case.
func TestListPagesInNameOrder(t *testing.T) {
	ctx := context.Background()
	s, c := newPolicyTestService(t)
	names := []string{"b", "A", "c", "D", "e"}
	for i, n := range names {
		path := "/x/"
		if i%2 == 1 {
			path = "/y/"
		}
		if _, err := s.CreateUser(ctx, c, CreateUserInput{UserName: n, Path: path}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateGroup(ctx, c, n, path); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateInstanceProfile(ctx, c, CreateInstanceProfileInput{InstanceProfileName: n, Path: path}); err != nil {
			t.Fatal(err)
		}
	}
	lists := map[string]func(prefix string, pg Page) ([]string, string, error){
		"users": func(prefix string, pg Page) ([]string, string, error) {
			us, next, err := s.ListUsers(ctx, c, prefix, pg)
			var out []string
			for _, u := range us {
				out = append(out, u.Name)
			}
			return out, next, err
		},
		"groups": func(prefix string, pg Page) ([]string, string, error) {
			gs, next, err := s.ListGroups(ctx, c, prefix, pg)
			var out []string
			for _, g := range gs {
				out = append(out, g.Name)
			}
			return out, next, err
		},
		"profiles": func(prefix string, pg Page) ([]string, string, error) {
			ps, next, err := s.ListInstanceProfiles(ctx, c, prefix, pg)
			var out []string
			for _, p := range ps {
				out = append(out, p.Name)
			}
			return out, next, err
		},
	}
	want := map[string][]string{"": {"A", "b", "c", "D", "e"}, "/x/": {"b", "c", "e"}, "/y/": {"A", "D"}, "/z/": nil}
	for kind, list := range lists {
		for prefix, w := range want {
			for size := 1; size <= 6; size++ {
				var got []string
				marker := ""
				for range 10 {
					page, next, err := list(prefix, Page{MaxItems: size, Marker: marker})
					if err != nil {
						t.Fatalf("%s %q %d: %v", kind, prefix, size, err)
					}
					got = append(got, page...)
					if next == "" {
						break
					}
					marker = next
				}
				if !slices.Equal(got, w) {
					t.Errorf("%s %q by %d: %s, want %s", kind, prefix, size, strings.Join(got, ","), strings.Join(w, ","))
				}
			}
		}
	}
}
