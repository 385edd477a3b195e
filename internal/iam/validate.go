package iam

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
)

// IAM's input constraints, enforced with AWS's ValidationError messages
// ("1 validation error detected: Value at 'roleName' failed to satisfy
// constraint: ...").

var (
	nameRe     = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathCharRe = regexp.MustCompile(`^(/|/[\x21-\x7E]+/)$`)
	tagKeyRe   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValueRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

func constraint(field, what string) *awserr.Error {
	return awserr.ValidationError("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", field, what)
}

// validateName checks an entity name (roleName, userName, policyName, ...)
// against IAM's pattern and length limit.
func validateName(field, name string, max int) error {
	if name == "" {
		return constraint(field, "Member must have length greater than or equal to 1")
	}
	if len(name) > max {
		return constraint(field, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	if !nameRe.MatchString(name) {
		return constraint(field, `Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	}
	return nil
}

// normalizePath returns "/" for an empty path and checks the rest.
func normalizePath(path string) (string, error) {
	if path == "" {
		return "/", nil
	}
	if len(path) > 512 {
		return "", constraint("path", "Member must have length less than or equal to 512")
	}
	if !pathCharRe.MatchString(path) {
		return "", awserr.ValidationError("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return path, nil
}

// validatePathPrefix checks a PathPrefix filter of a List call.
func validatePathPrefix(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > 512 {
		return constraint("pathPrefix", "Member must have length less than or equal to 512")
	}
	if !strings.HasPrefix(p, "/") {
		return constraint("pathPrefix", `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
	}
	return nil
}

// validateTags applies IAM's tag rules: at most 50, keys 1..128 and values
// 0..256 characters of the allowed set, keys unique without regard to case.
func validateTags(tags []Tag) error {
	if len(tags) > 50 {
		return constraint("tags", "Member must have length less than or equal to 50")
	}
	seen := map[string]bool{}
	for i, t := range tags {
		if len([]rune(t.Key)) > 128 {
			return constraint(fmt.Sprintf("tags.%d.member.key", i+1), "Member must have length less than or equal to 128")
		}
		if t.Key == "" {
			return constraint(fmt.Sprintf("tags.%d.member.key", i+1), "Member must have length greater than or equal to 1")
		}
		if !tagKeyRe.MatchString(t.Key) {
			return constraint(fmt.Sprintf("tags.%d.member.key", i+1), `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
		if len([]rune(t.Value)) > 256 {
			return constraint(fmt.Sprintf("tags.%d.member.value", i+1), "Member must have length less than or equal to 256")
		}
		if !tagValueRe.MatchString(t.Value) {
			return constraint(fmt.Sprintf("tags.%d.member.value", i+1), `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return awserr.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}

// mergeTags adds or replaces tags by key (case-insensitively, keeping the
// new spelling) and enforces the 50-tag quota on the result.
func mergeTags(have, add []Tag) ([]Tag, error) {
	out := append([]Tag(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > 50 {
		return nil, awserr.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// removeTags drops tags whose keys are in keys (case-insensitively).
func removeTags(have []Tag, keys []string) []Tag {
	out := have[:0:0]
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(k, t.Key) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}
