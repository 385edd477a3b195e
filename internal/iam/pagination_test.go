package iam

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/awserr"
)

func isInvalidMarker(err error) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == "ValidationError" && e.Message == "Invalid Marker." && e.Status == 400
}

func TestPaginateWalksEverything(t *testing.T) {
	var items []string
	for i := range 250 {
		items = append(items, fmt.Sprintf("item-%03d", i))
	}
	id := func(s string) string { return s }
	for _, max := range []int{0, 1, 7, 100, 249, 250, 1000} {
		var got []string
		pg := Page{MaxItems: max}
		pages := 0
		for {
			page, next, err := paginate("things", items, id, pg)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, page...)
			if next == "" {
				break
			}
			pg.Marker = next
		}
		if !slices.Equal(got, items) {
			t.Errorf("max %d: walked %d items", max, len(got))
		}
		per := max
		if per == 0 {
			per = 100
		}
		if want := (len(items) + per - 1) / per; pages != want {
			t.Errorf("max %d: %d pages, want %d", max, pages, want)
		}
	}
}

// A key marker survives items being added or removed between pages.
func TestPaginateMarkerSurvivesChanges(t *testing.T) {
	id := func(s string) string { return s }
	items := []string{"a", "b", "c", "d", "e"}
	page, next, err := paginate("things", items, id, Page{MaxItems: 2})
	if err != nil || !slices.Equal(page, []string{"a", "b"}) || next == "" {
		t.Fatalf("first page %v %q %v", page, next, err)
	}
	changed := []string{"a", "aa", "c", "d", "e"} // "b" deleted, "aa" added before the boundary
	page, next, err = paginate("things", changed, id, Page{Marker: next, MaxItems: 2})
	if err != nil || !slices.Equal(page, []string{"c", "d"}) || next == "" {
		t.Fatalf("second page %v %q %v", page, next, err)
	}
	page, next, err = paginate("things", changed, id, Page{Marker: next, MaxItems: 2})
	if err != nil || !slices.Equal(page, []string{"e"}) || next != "" {
		t.Fatalf("last page %v %q %v", page, next, err)
	}
}

func TestMarkersAreValidated(t *testing.T) {
	id := func(s string) string { return s }
	items := []string{"a", "b", "c"}
	_, next, _ := paginate("roles", items, id, Page{MaxItems: 1})
	_, offNext, _ := paginateOffset("role-tags", items, Page{MaxItems: 1})
	for _, m := range []string{"garbage", "%%%", "AAAA", next + "x", encodeMarker("users", "a"), offNext} {
		if _, _, err := paginate("roles", items, id, Page{Marker: m}); !isInvalidMarker(err) {
			t.Errorf("paginate accepted marker %q: %v", m, err)
		}
	}
	for _, m := range []string{"garbage", next, encodeMarker("role-tags", "-1"), encodeMarker("role-tags", "x")} {
		if _, _, err := paginateOffset("role-tags", items, Page{Marker: m}); !isInvalidMarker(err) {
			t.Errorf("paginateOffset accepted marker %q: %v", m, err)
		}
	}
	// An offset past the end (the list shrank) is an empty last page.
	page, n, err := paginateOffset("role-tags", items, Page{Marker: encodeMarker("role-tags", "10")})
	if err != nil || len(page) != 0 || n != "" {
		t.Errorf("offset past end: %v %q %v", page, n, err)
	}
	page, n, err = paginateOffset("role-tags", items, Page{Marker: offNext})
	if err != nil || !slices.Equal(page, []string{"b", "c"}) || n != "" {
		t.Errorf("offset page: %v %q %v", page, n, err)
	}
}

func TestCheckMaxItems(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{
		{1, ""}, {1000, ""},
		{0, "greater than or equal to 1"}, {-5, "greater than or equal to 1"},
		{1001, "less than or equal to 1000"},
	} {
		err := CheckMaxItems(tc.n)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%d: %v", tc.n, err)
			}
			continue
		}
		e, ok := awserr.As(err)
		if !ok || e.Code != "ValidationError" || !strings.Contains(e.Message, "Value at 'maxItems'") || !strings.HasSuffix(e.Message, tc.want) {
			t.Errorf("%d: %v", tc.n, err)
		}
		if _, _, err := paginate("x", []string{}, func(s string) string { return s }, Page{MaxItems: tc.n}); err == nil && tc.n != 0 {
			t.Errorf("paginate accepted MaxItems %d", tc.n)
		}
	}
}
