package iam

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

// Paging of IAM List calls. Every List operation takes Marker and MaxItems
// and answers IsTruncated and, when truncated, the Marker of the next page.
//
// Markers are opaque to clients: base64 of the list's kind and the position
// after which the next page starts. A marker that does not decode, or that
// belongs to a different list, is refused with AWS's "Invalid Marker."
// ValidationError. A key-based marker names the last item returned, so
// items created or deleted between pages neither repeat nor skip the others.
//
// Shared helpers (for every List operation in the package):
//
//	paginate(kind, items, key, page)       items sorted by key (names)
//	paginateOffset(kind, items, page)      items in stored order (tags)
//	CheckMaxItems(n)                       for protocol layers that see an explicit MaxItems

// Page is the paging input of a List call.
type Page struct {
	Marker string // from the previous response; "" for the first page
	// MaxItems is 1..1000; 0 means the default, 100. Protocol layers that
	// received an explicit MaxItems should check it with CheckMaxItems first,
	// since an explicit 0 is an error rather than the default.
	MaxItems int
}

const (
	defaultMaxItems = 100
	maxMaxItems     = 1000
)

// CheckMaxItems validates an explicitly sent MaxItems as IAM does (1..1000).
func CheckMaxItems(n int) error {
	if n < 1 {
		return constraint("maxItems", "Member must have value greater than or equal to 1")
	}
	if n > maxMaxItems {
		return constraint("maxItems", "Member must have value less than or equal to 1000")
	}
	return nil
}

func (p Page) limit() (int, error) {
	if p.MaxItems == 0 {
		return defaultMaxItems, nil
	}
	if err := CheckMaxItems(p.MaxItems); err != nil {
		return 0, err
	}
	return p.MaxItems, nil
}

func invalidMarker() error { return awserr.ValidationError("Invalid Marker.") }

// encodeMarker and decodeMarker wrap a position in an opaque token bound to
// the list kind (e.g. "roles", "role-tags"), with a checksum so that a
// damaged or edited marker is refused rather than misread.
func encodeMarker(kind, pos string) string {
	payload := kind + "\x00" + pos
	sum := sha256.Sum256([]byte(markerSalt + payload))
	return base64.RawURLEncoding.EncodeToString(append(sum[:6:6], payload...))
}

const markerSalt = "rolecall/iam/marker/v1\x00"

func decodeMarker(kind, marker string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil || len(b) < 6 {
		return "", invalidMarker()
	}
	payload := b[6:]
	sum := sha256.Sum256(append([]byte(markerSalt), payload...))
	if !bytes.Equal(sum[:6], b[:6]) {
		return "", invalidMarker()
	}
	k, pos, ok := strings.Cut(string(payload), "\x00")
	if !ok || k != kind {
		return "", invalidMarker()
	}
	return pos, nil
}

// paginate returns the page of items that follows p.Marker. items must be
// sorted by key ascending with unique keys (store listings are). next is the
// marker of the following page, "" when this page is the last.
func paginate[T any](kind string, items []T, key func(T) string, p Page) (page []T, next string, err error) {
	limit, err := p.limit()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if p.Marker != "" {
		after, err := decodeMarker(kind, p.Marker)
		if err != nil {
			return nil, "", err
		}
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	end := start + limit
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], encodeMarker(kind, key(items[end-1])), nil
}

// paginateOffset pages items kept in a meaningful stored order (such as
// tags, which IAM lists in the order they were added) by position.
func paginateOffset[T any](kind string, items []T, p Page) (page []T, next string, err error) {
	limit, err := p.limit()
	if err != nil {
		return nil, "", err
	}
	start := 0
	if p.Marker != "" {
		pos, err := decodeMarker(kind, p.Marker)
		if err != nil {
			return nil, "", err
		}
		start, err = strconv.Atoi(pos)
		if err != nil || start < 0 {
			return nil, "", invalidMarker()
		}
		if start > len(items) {
			start = len(items)
		}
	}
	end := start + limit
	if end >= len(items) {
		return items[start:], "", nil
	}
	return items[start:end], encodeMarker(kind, strconv.Itoa(end)), nil
}

// listPage pages through the records stored under prefix in key order
// (keys end in the lower-cased name, which is the order IAM lists names in),
// keeping those keep accepts. It starts reading right after the marker and
// stops as soon as the page is full, so a page costs the same with ten
// records as with ten thousand. Records are decoded through the shared
// cache: callers must not modify them. Markers are the same as paginate's
// for the same kind.
func listPage[T any](s *Service, r store.Reader, kind, prefix string, keep func(*T) bool, p Page) ([]*T, string, error) {
	limit, err := p.limit()
	if err != nil {
		return nil, "", err
	}
	startAfter := ""
	if p.Marker != "" {
		pos, err := decodeMarker(kind, p.Marker)
		if err != nil {
			return nil, "", err
		}
		startAfter = prefix + pos
	}
	var out []*T
	var keys []string
	chunk := limit + 1
	for len(out) <= limit {
		kvs, err := r.List(prefix, startAfter, chunk)
		if err != nil {
			return nil, "", err
		}
		for _, kv := range kvs {
			v, err := decodeShared[T](&s.cache, kv)
			if err != nil {
				return nil, "", err
			}
			if keep == nil || keep(v) {
				out = append(out, v)
				keys = append(keys, kv.Key)
				if len(out) > limit {
					break
				}
			}
		}
		if len(kvs) < chunk {
			break
		}
		startAfter = kvs[len(kvs)-1].Key
	}
	if len(out) <= limit {
		return out, "", nil
	}
	return out[:limit], encodeMarker(kind, strings.TrimPrefix(keys[limit-1], prefix)), nil
}
