package ecs

import (
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

func awsErr(code, format string, args ...any) *awserr.Error {
	return awserr.New(http.StatusBadRequest, code, format, args...)
}

// maxResults reads a List call's maxResults: 1 to 100, 100 when absent.
func maxResults(p *int) (int, error) {
	if p == nil {
		return 100, nil
	}
	if *p < 1 || *p > 100 {
		return 0, invalidParameter("maxResults must be between 1 and 100.")
	}
	return *p, nil
}

// item is one listed value with the key it sorts by.
type item struct{ key, val string }

// paginateItems returns at most max values from items (sorted by key,
// ascending, or descending when desc) following the page that ended at
// the key token names. Tokens are opaque to clients: the base64 of the
// last key returned, so pages stay consistent as items come and go.
func paginateItems(items []item, token string, max int, desc bool) ([]string, string, error) {
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || !strings.HasPrefix(string(b), "k:") {
			return nil, "", invalidParameter("Invalid nextToken.")
		}
		last := string(b[2:])
		start = len(items)
		for i, it := range items {
			if (!desc && it.key > last) || (desc && it.key < last) {
				start = i
				break
			}
		}
	}
	end := min(start+max, len(items))
	out := make([]string, 0, end-start)
	for _, it := range items[start:end] {
		out = append(out, it.val)
	}
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("k:" + items[end-1].key))
	}
	return out, next, nil
}

// paginate is paginateItems for values that sort by themselves.
func paginate(vals []string, token string, max int) ([]string, string, error) {
	items := make([]item, len(vals))
	for i, v := range vals {
		items[i] = item{v, v}
	}
	return paginateItems(items, token, max, false)
}

// validateTags applies ECS's tag rules: at most 50 tags, keys of 1 to 128
// characters, values of at most 256, unique keys, and no "aws:" prefix
// (reserved for AWS's own use).
func validateTags(tags []Tag) error {
	if len(tags) > 50 {
		return invalidParameter("Tags can have at most 50 items.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if n := utf8.RuneCountInString(t.Key); n < 1 || n > 128 {
			return invalidParameter("Tag keys must be between 1 and 128 characters.")
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return invalidParameter("Tag values can be at most 256 characters.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalidParameter("Tag keys cannot start with the reserved prefix 'aws:'.")
		}
		if seen[t.Key] {
			return invalidParameter("Duplicate tag key %s.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// mergeTags adds or replaces tags by key.
func mergeTags(have, add []Tag) []Tag {
	out := append([]Tag(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// removeTags drops tags by key.
func removeTags(have []Tag, keys []string) []Tag {
	var out []Tag
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if t.Key == k {
				drop = true
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// lookup reads the record an identifier names in cluster: resolve is
// Service.InstanceARN or Service.TaskARN, key instanceKey or taskKey. v is
// nil when there is none (arn then names it, for a failure).
func lookup[T any](r store.Reader, sc Scope, cluster, ident string,
	resolve func(sc Scope, cluster, ident string) (id, arn string, found bool, err error),
	key func(sc Scope, cluster, id string) string,
) (v *T, id, arn string, err error) {
	id, arn, found, err := resolve(sc, cluster, ident)
	if err != nil || !found {
		return nil, id, arn, err
	}
	v, err = get[T](r, key(sc, cluster, id))
	if isNotFound(err) {
		return nil, id, arn, nil
	}
	return v, id, arn, err
}
