package catalog

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// The embedded files are written by internal/gen/catalog, whose doc comment
// describes their line-oriented format. They are gzip'd: small in the
// binary, and decompressed only by programs that consult the catalog.
//
//go:embed data/services.tsv.gz data/managed-policies.tsv.gz
var files embed.FS

// data is the decoded, indexed catalog. It is built once and never written
// again, which is what makes the package's functions safe to call
// concurrently without locks.
type data struct {
	list      []*Service              // sorted by prefix
	byName    []*Service              // sorted by prefix+":", the order of full action names
	services  map[string]*Service     // lowercase prefix
	actions   map[string]*Action      // lowercase "service:action"
	fullNames map[*Service][]string   // canonical full names, parallel to Service.Actions
	allNames  []string                // every canonical full name, sorted
	keys      map[string]ConditionKey // lowercase key name, templated keys included verbatim
	templates []keyTemplate           // templated keys, most specific first
}

// keyTemplate matches concrete keys such as "aws:RequestTag/Team" against a
// templated name such as "aws:RequestTag/${TagKey}".
type keyTemplate struct {
	prefix  string // literal text before the first placeholder, for a cheap rejection
	pattern string // the name with each placeholder replaced by "?*" (one or more characters)
	literal int    // literal characters in the name; more means more specific
	key     ConditionKey
}

// load decodes the catalog on first use. OnceValue also replays a decode
// panic to every later caller instead of leaving them a nil catalog.
var load = sync.OnceValue(decodeCatalog)

// readGz returns a decompressed embedded file as one string; decoded values
// are substrings of it, which is what makes decoding nearly allocation-free.
// A failure means the binary was built from a broken checkout, which no
// caller can handle, so it panics.
func readGz(name string) string {
	raw, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("catalog: embedded %s: %v", name, err))
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		panic(fmt.Sprintf("catalog: embedded %s: %v", name, err))
	}
	var b strings.Builder
	// The uncompressed size is in the gzip trailer; growing to it up front
	// avoids repeated copying of a multi-megabyte buffer.
	if n := len(raw); n >= 4 {
		b.Grow(int(uint32(raw[n-4]) | uint32(raw[n-3])<<8 | uint32(raw[n-2])<<16 | uint32(raw[n-1])<<24))
	}
	if _, err := io.Copy(&b, zr); err != nil {
		panic(fmt.Sprintf("catalog: embedded %s: %v", name, err))
	}
	return b.String()
}

// corrupt reports an embedded file that does not parse. Like a missing
// file, it can only come from a broken build.
func corrupt(file string, line int, format string, args ...any) {
	panic(fmt.Sprintf("catalog: embedded %s line %d: %s", file, line, fmt.Sprintf(format, args...)))
}

// records iterates over the tab-separated records of a decoded file,
// skipping comments. fields is reused between calls.
type records struct {
	file   string
	rest   string
	line   int
	fields []string
}

func (r *records) next() bool {
	for r.rest != "" {
		var line string
		line, r.rest, _ = strings.Cut(r.rest, "\n")
		r.line++
		if line == "" || line[0] == '#' {
			continue
		}
		r.fields = appendSplit(r.fields[:0], line, "\t")
		return true
	}
	return false
}

// appendSplit appends the substrings of s between the separators sep.
func appendSplit(dst []string, s, sep string) []string {
	for {
		item, more, ok := strings.Cut(s, sep)
		dst = append(dst, item)
		if !ok {
			return dst
		}
		s = more
	}
}

// want checks a record's field count.
func (r *records) want(min, max int) {
	if n := len(r.fields); n < min || (max >= 0 && n > max) {
		corrupt(r.file, r.line, "%q record has %d fields", r.fields[0], n)
	}
}

// slab hands out short []string lists from large shared arrays, so the
// tens of thousands of key lists cost a few allocations instead of one each.
type slab struct{ buf []string }

// list splits a comma-separated field. Empty fields yield nil.
func (s *slab) list(field string) []string {
	if field == "" {
		return nil
	}
	n := strings.Count(field, ",") + 1
	if len(s.buf)+n > cap(s.buf) {
		s.buf = make([]string, 0, max(4096, n))
	}
	start := len(s.buf)
	s.buf = appendSplit(s.buf, field, ",")
	// Capping the capacity stops a caller's append from writing into the
	// next list.
	return s.buf[start:len(s.buf):len(s.buf)]
}

func parseLevel(s string) (AccessLevel, bool) {
	switch AccessLevel(s) {
	case AccessList:
		return AccessList, true
	case AccessRead:
		return AccessRead, true
	case AccessWrite:
		return AccessWrite, true
	case AccessPermissionsManagement:
		return AccessPermissionsManagement, true
	case AccessTagging:
		return AccessTagging, true
	}
	return "", false
}

const servicesFile = "data/services.tsv.gz"

func decodeCatalog() *data {
	text := readGz(servicesFile)
	// Sizing the big containers up front saves most of the rehashing and
	// regrowth; the counts are cheap to take from the text itself.
	nActions := countRecords(text, "A")
	nServices := countRecords(text, "S")
	nRefs := countRecords(text, "R")

	d := &data{
		services:  make(map[string]*Service, nServices),
		actions:   make(map[string]*Action, nActions),
		fullNames: make(map[*Service][]string, nServices),
		keys:      make(map[string]ConditionKey, 2048),
		allNames:  make([]string, 0, nActions),
	}
	// One backing array each for all actions and all resource references
	// keeps them contiguous and costs one allocation instead of thousands.
	actions := make([]Action, 0, nActions)
	refs := make([]ResourceTypeRef, 0, nRefs)
	lists := &slab{}
	keyOwner := map[string]bool{} // lowercase key names defined by their own service

	var (
		s        *Service
		names    []string
		act      *Action
		refStart int // act's first entry in refs
	)
	// finish closes the current service: its actions become a capped
	// sub-slice of the shared array and get indexed.
	finish := func() {
		if s == nil {
			return
		}
		act = nil
		first := len(actions) - len(names)
		s.Actions = actions[first:len(actions):len(actions)]
		for j := range s.Actions {
			d.actions[strings.ToLower(names[j])] = &s.Actions[j]
		}
		d.fullNames[s] = names
		d.list = append(d.list, s)
		d.services[s.Prefix] = s
	}

	r := &records{file: servicesFile, rest: text}
	for r.next() {
		f := r.fields
		switch f[0] {
		case "G":
			r.want(3, 3)
			k := newKey(f[1], f[2])
			k.Global = true
			d.keys[strings.ToLower(k.Name)] = k
		case "S":
			r.want(3, 3)
			finish()
			s = &Service{Prefix: f[1], Name: f[2]}
			names = nil
		case "K":
			r.want(3, 3)
			if s == nil {
				corrupt(r.file, r.line, "key outside a service")
			}
			k := newKey(f[1], f[2])
			s.ConditionKeys = append(s.ConditionKeys, k)
			// A key can be listed by several services (aws:TagKeys by
			// hundreds, identitystore:UserId by identitystore, q and
			// qbusiness with different types). The global page wins for
			// aws:* keys, then the service whose prefix the key carries,
			// then the first service alphabetically.
			lk := strings.ToLower(k.Name)
			prev, seen := d.keys[lk]
			own := strings.HasPrefix(lk, s.Prefix+":")
			switch {
			case seen && prev.Global && k.Global:
			case !seen, own && !keyOwner[lk]:
				d.keys[lk] = k
				if own {
					keyOwner[lk] = true
				}
			}
		case "T":
			r.want(3, -1)
			if s == nil {
				corrupt(r.file, r.line, "resource type outside a service")
			}
			var arns []string
			if len(f) > 3 {
				arns = append([]string(nil), f[3:]...)
			}
			s.ResourceTypes = append(s.ResourceTypes, ResourceType{Name: f[1], ARNFormats: arns, ConditionKeys: lists.list(f[2])})
		case "A":
			r.want(5, 5)
			if s == nil {
				corrupt(r.file, r.line, "action outside a service")
			}
			level, ok := parseLevel(f[2])
			if !ok {
				corrupt(r.file, r.line, "access level %q", f[2])
			}
			actions = append(actions, Action{
				Service:          s.Prefix,
				Name:             f[1],
				AccessLevel:      level,
				ConditionKeys:    lists.list(f[3]),
				DependentActions: lists.list(f[4]),
			})
			act = &actions[len(actions)-1]
			refStart = len(refs)
			names = append(names, s.Prefix+":"+f[1])
		case "R":
			r.want(5, 5)
			if act == nil {
				corrupt(r.file, r.line, "resource reference outside an action")
			}
			refs = append(refs, ResourceTypeRef{
				Name:             f[1],
				Required:         f[2] == "1",
				ConditionKeys:    lists.list(f[3]),
				DependentActions: lists.list(f[4]),
			})
			// An action's references are consecutive in refs. Re-slicing
			// from refs each time stays right even if append moved it.
			act.ResourceTypes = refs[refStart:len(refs):len(refs)]
		default:
			corrupt(r.file, r.line, "unknown record %q", f[0])
		}
	}
	finish()
	if len(d.list) == 0 {
		corrupt(r.file, r.line, "no services")
	}

	d.byName = slices.Clone(d.list)
	slices.SortFunc(d.byName, func(a, b *Service) int { return strings.Compare(a.Prefix+":", b.Prefix+":") })
	for _, s := range d.byName {
		d.allNames = append(d.allNames, d.fullNames[s]...)
	}

	for _, k := range d.keys {
		if t, ok := newTemplate(k); ok {
			d.templates = append(d.templates, t)
		}
	}
	slices.SortFunc(d.templates, func(a, b keyTemplate) int {
		if a.literal != b.literal {
			return b.literal - a.literal
		}
		return strings.Compare(a.key.Name, b.key.Name)
	})
	return d
}

// countRecords counts the records of one kind, for sizing.
func countRecords(text, kind string) int {
	n := strings.Count(text, "\n"+kind+"\t")
	if strings.HasPrefix(text, kind+"\t") {
		n++
	}
	return n
}

func newKey(name, typ string) ConditionKey {
	return ConditionKey{
		Name:        name,
		Type:        ConditionKeyType(typ),
		MultiValued: strings.HasPrefix(typ, "ArrayOf"),
		Global:      strings.HasPrefix(strings.ToLower(name), "aws:"),
	}
}

// newTemplate compiles a key whose name contains placeholders. The catalog
// spells them "${TagKey}" almost everywhere, but S3's object-tag keys use
// AWS's older "<key>" form ("s3:ExistingObjectTag/<key>"); both mean "one or
// more characters supplied by the policy author".
func newTemplate(k ConditionKey) (keyTemplate, bool) {
	name := k.Name
	// A few services spell the tag placeholder as a literal "tag-key" or
	// leave it off ("glacier:ResourceTag/"); both mean any tag key.
	if base, ok := strings.CutSuffix(name, "/tag-key"); ok {
		name = base + "/${TagKey}"
	} else if strings.HasSuffix(name, "/") {
		name += "${TagKey}"
	}
	first, _ := nextPlaceholder(name)
	if first < 0 {
		return keyTemplate{}, false
	}
	var pat strings.Builder
	literal := 0
	for rest := name; ; {
		i, j := nextPlaceholder(rest)
		if i < 0 {
			pat.WriteString(rest)
			literal += len(rest)
			break
		}
		pat.WriteString(rest[:i])
		pat.WriteString("?*")
		literal += i
		rest = rest[j:]
	}
	return keyTemplate{prefix: name[:first], pattern: pat.String(), literal: literal, key: k}, true
}

// nextPlaceholder returns the start and end (exclusive) of the first
// "${...}" or "<...>" in s, or -1, -1.
func nextPlaceholder(s string) (int, int) {
	for i := 0; i < len(s); i++ {
		var closer byte
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			closer = '}'
		case s[i] == '<':
			closer = '>'
		default:
			continue
		}
		if j := strings.IndexByte(s[i+1:], closer); j >= 0 {
			return i, i + 1 + j + 1
		}
	}
	return -1, -1
}
