package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strings"

	"github.com/rolecall/rolecall/catalog"
	"github.com/rolecall/rolecall/internal/wildcard"
)

// lintPairedKeys are condition keys that are only safe together with another
// key in the same statement: a private IP address means nothing without
// the network it belongs to.
var lintPairedKeys = []struct{ key, needs string }{
	{"aws:VpcSourceIp", "aws:SourceVpc"},
	{"aws:Ec2InstanceSourcePrivateIPv4", "aws:Ec2InstanceSourceVpc"},
}

// lintPrivateBlocks are the private address ranges (RFC 1918, RFC 4193), which
// never appear in aws:SourceIp: requests from them arrive through a VPC
// endpoint, with aws:VpcSourceIp instead.
var lintPrivateBlocks = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
}

// lintOperatorFamilies names the operator families a key type works with.
var lintOperatorFamilies = map[string][]opFamily{
	// ARN operators on string keys are common and work when the value is
	// an ARN (aws:RequestTag/... holding a task ARN, for instance).
	"String":    {famString, famARN},
	"ARN":       {famARN, famString},
	"Numeric":   {famNumeric},
	"Date":      {famDate},
	"Bool":      {famBool},
	"IPAddress": {famIP},
	"Binary":    {famBinary},
}

var lintFamilyNames = map[opFamily]string{
	famString: "String", famNumeric: "Numeric", famDate: "Date", famBool: "Bool",
	famBinary: "Binary", famIP: "IP address", famARN: "ARN", famNull: "Null",
}

// checkConditions checks each operator, key and value of the statement's
// Condition element.
func (l *linter) checkConditions(st *Statement, i int) {
	for _, b := range st.Condition {
		if len(b.Keys) == 0 {
			l.add(SeveritySuggestion, "EMPTY_OBJECT_CONDITION", lintCondPath(i, b.Operator, ""), fmt.Sprintf("The %s block has no condition keys and does nothing. Remove it or add keys.", b.Operator))
		}
		op, opOK := parseOperator(b.Operator)
		if !opOK {
			l.badOperator(b.Operator, lintCondPath(i, b.Operator, ""))
		}
		for x, k := range b.Keys {
			path := lintCondPath(i, b.Operator, k.Key)
			for y := 0; y < x; y++ {
				if b.Keys[y].Key != k.Key && strings.EqualFold(b.Keys[y].Key, k.Key) {
					l.add(SeverityError, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", path, fmt.Sprintf("The %s block has the condition key %s twice, spelt %s and %s; key names ignore case, so only one is used. Keep one.", b.Operator, quote(k.Key), quote(b.Keys[y].Key), quote(k.Key)))
					break
				}
			}
			info, known := l.checkConditionKey(k.Key, path)
			if !opOK {
				if len(k.Values.List) == 0 {
					l.add(SeveritySuggestion, "EMPTY_ARRAY_CONDITION", path, fmt.Sprintf("The condition key %s has no values, so the condition does not do what it seems to. Give it values.", k.Key))
				}
				continue
			}
			l.checkKeyOperator(op, b.Operator, k.Key, info, known, path)
			l.checkConditionValues(st, op, b.Operator, k, info, known, path)
		}
	}
	if st.Effect == Allow {
		for _, pk := range lintPairedKeys {
			if path, ok := lintKeyPath(st, i, pk.key); ok {
				if _, ok := lintKeyPath(st, i, pk.needs); !ok {
					l.add(SeveritySecurityWarning, "MISSING_PAIRED_CONDITION_KEYS", path, fmt.Sprintf("%s is not unique on its own and can be overly permissive without %s. Add a condition on %s to the statement.", pk.key, pk.needs, pk.needs))
				}
			}
		}
	}
}

// lintKeyPath finds the first condition on key in st.
func lintKeyPath(st *Statement, i int, key string) (string, bool) {
	for _, b := range st.Condition {
		for _, k := range b.Keys {
			if strings.EqualFold(k.Key, key) {
				return lintCondPath(i, b.Operator, k.Key), true
			}
		}
	}
	return "", false
}

// badOperator explains an operator parseOperator does not know. Check
// rejects such documents, so this is only seen when Lint is given a
// document straight from Parse.
func (l *linter) badOperator(name, path string) {
	rest, qualified := name, false
	for _, q := range []string{"ForAllValues:", "ForAnyValue:"} {
		if r, ok := strings.CutPrefix(rest, q); ok {
			rest, qualified = r, true
		}
	}
	base, ifExists := strings.CutSuffix(rest, "IfExists")
	switch {
	case base == "Null" && ifExists:
		l.add(SeverityError, "NULL_WITH_IF_EXISTS", path, "The Null operator cannot take the IfExists suffix: Null already tests whether the key exists. Remove IfExists.")
	case base == "Null" && qualified:
		l.add(SeveritySuggestion, "NULL_WITH_QUALIFIER", path, "Null with ForAllValues or ForAnyValue always returns true or false respectively. Use Null on its own.")
	default:
		l.add(SeverityError, "INVALID_CONDITION_OPERATOR", path, fmt.Sprintf("The condition operator %s does not exist.", quote(name)))
	}
}

// checkConditionKey looks key up in the catalog and reports keys that do
// not exist. known says whether the key's type and cardinality are known.
func (l *linter) checkConditionKey(key, path string) (catalog.ConditionKey, bool) {
	prefix, name, ok := strings.Cut(key, ":")
	if !ok || prefix == "" || name == "" {
		l.add(SeverityError, "INVALID_CONDITION_KEY_FORMAT", path, fmt.Sprintf("The condition key %s is not of the form service:name.", quote(key)))
		return catalog.ConditionKey{}, false
	}
	if strings.Contains(key, "${") {
		return catalog.ConditionKey{}, false // reported by checkVariables
	}
	if strings.EqualFold(key, "aws:ARN") {
		l.add(SeverityWarning, "DEPRECATED_GLOBAL_CONDITION_KEY", path, "The condition key aws:ARN is deprecated. Use aws:PrincipalArn for the calling principal, or aws:SourceArn for the resource making a service-to-service request.")
		return catalog.ConditionKey{}, false
	}
	if ck, ok := lintLookupKey(key); ok {
		return ck, true
	}
	if lintMissingTagKey(key) {
		l.add(SeverityError, "MISSING_TAG_KEY_IN_CONDITION", path, fmt.Sprintf("The condition key %s needs a tag key: write %s/tag-key.", quote(key), strings.TrimSuffix(key, "/")))
		return catalog.ConditionKey{}, false
	}
	switch {
	case strings.EqualFold(prefix, "aws"):
		l.add(SeverityError, "INVALID_GLOBAL_CONDITION_KEY", path, fmt.Sprintf("The global condition key %s does not exist.", quote(key)))
	case strings.ContainsAny(prefix, "./") || strings.EqualFold(prefix, "saml"):
		// Keys of identity providers (accounts.google.com:aud,
		// token.actions.githubusercontent.com:sub, saml:...): not in
		// the catalog, and not ours to judge.
	default:
		if _, ok := catalog.LookupService(prefix); !ok {
			l.add(SeverityError, "INVALID_SERVICE", path, fmt.Sprintf("The service %s of condition key %s does not exist.", quote(prefix), quote(key)))
		} else {
			l.add(SeverityError, "INVALID_SERVICE_CONDITION_KEY", path, fmt.Sprintf("The condition key %s does not exist in the service %s.", quote(key), prefix))
		}
	}
	return catalog.ConditionKey{}, false
}

// lintMissingTagKey reports whether key is a tag key prefix without the tag,
// such as "aws:ResourceTag" or "aws:RequestTag/".
func lintMissingTagKey(key string) bool {
	ck, ok := lintLookupKey(strings.TrimSuffix(key, "/") + "/x")
	return ok && (strings.Contains(ck.Name, "/${") || strings.Contains(ck.Name, "/<") || strings.HasSuffix(ck.Name, "/tag-key"))
}

// lintLookupKey is catalog.LookupConditionKey, also resolving the few keys
// the Service Authorization Reference templates with a literal "tag-key"
// ("secretsmanager:ResourceTag/tag-key", "ssm:resourceTag/tag-key").
func lintLookupKey(key string) (catalog.ConditionKey, bool) {
	if ck, ok := catalog.LookupConditionKey(key); ok {
		return ck, true
	}
	if i := strings.IndexByte(key, '/'); i > 0 && i < len(key)-1 {
		return catalog.LookupConditionKey(key[:i] + "/tag-key")
	}
	return catalog.ConditionKey{}, false
}

// checkKeyOperator checks the operator against the key's declared type and
// cardinality.
func (l *linter) checkKeyOperator(op operator, opName, key string, info catalog.ConditionKey, known bool, path string) {
	if !known || op.family == famNull {
		return
	}
	base := strings.TrimPrefix(string(info.Type), "ArrayOf")
	fams, ok := lintOperatorFamilies[base]
	if ok {
		if base == "Date" && strings.EqualFold(info.Name, "aws:EpochTime") {
			fams = []opFamily{famDate, famNumeric}
		}
		fit := false
		for _, f := range fams {
			fit = fit || f == op.family
		}
		if !fit {
			l.add(SeverityWarning, "TYPE_MISMATCH", path, fmt.Sprintf("The condition key %s is of type %s: use a %s operator instead of %s.", key, info.Type, lintFamilyNames[fams[0]], opName))
		}
	}
	switch {
	case info.MultiValued && op.set == setNone:
		l.add(SeverityError, "MISSING_QUALIFIER", path, fmt.Sprintf("The condition key %s can have several values in a request. Use ForAnyValue: or ForAllValues: with %s to say how they are compared.", key, opName))
	case !info.MultiValued && op.set == setForAll:
		l.add(SeveritySecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", path, fmt.Sprintf("ForAllValues with the single-valued key %s is also true when the key is missing from the request, which can be overly permissive. Remove ForAllValues:.", key))
	}
}

// checkConditionValues checks each value against the operator.
func (l *linter) checkConditionValues(st *Statement, op operator, opName string, k ConditionKey, info catalog.ConditionKey, known bool, path string) {
	vals := k.Values.List
	if len(vals) == 0 {
		switch {
		case op.set == setForAll:
			l.add(SeveritySuggestion, "EMPTY_ARRAY_CONDITION_FORALLVALUES", path, fmt.Sprintf("ForAllValues with no values is true only when %s is missing from the request. To test that, use Null with true.", k.Key))
		case op.set == setForAny:
			l.add(SeveritySuggestion, "EMPTY_ARRAY_CONDITION_FORANYVALUE", path, fmt.Sprintf("ForAnyValue with no values never matches, so %s makes the statement apply to nothing. Give it values.", k.Key))
		case op.ifExists:
			l.add(SeveritySuggestion, "EMPTY_ARRAY_CONDITION_IFEXISTS", path, fmt.Sprintf("IfExists with no values is true only when %s is missing from the request. To test that, use Null with true.", k.Key))
		default:
			l.add(SeveritySuggestion, "EMPTY_ARRAY_CONDITION", path, fmt.Sprintf("The condition key %s has no values, so the condition does not do what it seems to. Give it values.", k.Key))
		}
		return
	}
	wildcards, nums := 0, 0
	var prefixes []netip.Prefix
	for x, v := range vals {
		vpath := fmt.Sprintf("%s[%d]", path, x)
		if l.vars && lintHasVariable(v) {
			if op.family != famString && op.family != famARN {
				l.add(SeverityError, "INVALID_VARIABLE_FOR_OPERATOR", vpath, fmt.Sprintf("%s has a policy variable, which only String and ARN operators substitute, not %s.", quote(v), opName))
			}
			continue
		}
		switch op.family {
		case famString:
			if op.cmp == cmpEq && wildcard.HasWildcard(v) {
				wildcards++
			}
		case famNumeric:
			if _, ok := parseNumber(v); !ok {
				l.add(SeverityWarning, "TYPE_MISMATCH_NUMBER", vpath, fmt.Sprintf("%s is not a number, which %s needs.", quote(v), opName))
			} else {
				nums++
			}
		case famBool, famNull:
			if lv := strings.ToLower(v); lv != "true" && lv != "false" {
				l.add(SeverityWarning, "TYPE_MISMATCH_BOOLEAN", vpath, fmt.Sprintf("%s is not a Boolean; %s takes true or false.", quote(v), opName))
			}
		case famDate:
			if _, ok := parseDate(v); !ok {
				l.add(SeverityWarning, "TYPE_MISMATCH_DATE", vpath, fmt.Sprintf("%s is not a date; use ISO 8601, such as 2026-01-02 or 2026-01-02T15:04:05Z.", quote(v)))
			} else if lintIsEpoch(v) && !strings.EqualFold(k.Key, "aws:EpochTime") {
				l.add(SeverityWarning, "INVALID_DATE_VALUE", vpath, fmt.Sprintf("%s is read as seconds since 1970, which may not be the date meant. Use ISO 8601, such as 2026-01-02.", quote(v)))
			}
		case famIP:
			p, ok := parseIPPrefix(v)
			if !ok {
				l.add(SeverityWarning, "TYPE_MISMATCH_IP_RANGE", vpath, fmt.Sprintf("%s is not an IP address or CIDR range, which %s needs.", quote(v), opName))
				continue
			}
			prefixes = append(prefixes, p)
			if addr, _, found := strings.Cut(v, "/"); found {
				if a, err := netip.ParseAddr(addr); err == nil && a != p.Addr() {
					l.add(SeveritySuggestion, "IMPROVE_IP_RANGE", vpath, fmt.Sprintf("The bits of %s after the mask are ignored. Write %s.", quote(v), p))
				}
			}
		case famBinary:
			if _, err := base64.StdEncoding.DecodeString(v); err != nil {
				l.add(SeverityWarning, "TYPE_MISMATCH_STRING", vpath, fmt.Sprintf("%s is not base64, which %s needs.", quote(v), opName))
			}
		}
	}
	if wildcards > 0 {
		l.add(SeverityWarning, "WILDCARD_WITHOUT_LIKE_OPERATOR", path, fmt.Sprintf("%s compares * and ? literally, but %d value(s) of %s contain them. If they are meant as wildcards, use a Like operator such as StringLike.", opName, wildcards, k.Key))
	}
	if op.family == famBool && len(vals) > 1 && op.set == setNone && !(known && info.MultiValued) {
		l.add(SeverityError, "INVALID_CONDITION_MULTIPLE_BOOLEAN", path, fmt.Sprintf("The condition key %s has a single Boolean value; give %s one value, true or false.", k.Key, opName))
	}
	if op.family == famNumeric && op.cmp != cmpEq && nums > 1 && op.set == setNone {
		bound := "greatest"
		if op.cmp == cmpGt || op.cmp == cmpGte {
			bound = "least"
		}
		l.add(SeveritySuggestion, "REDUNDANT_CONDITION_VALUE_NUM", path, fmt.Sprintf("Several values for %s with %s are redundant: only the %s counts. Keep that one.", k.Key, opName, bound))
	}
	l.checkKeyValues(st, op, k, prefixes, path)
}

// checkKeyValues checks the values of a few global keys whose format is
// known.
func (l *linter) checkKeyValues(st *Statement, op operator, k ConditionKey, prefixes []netip.Prefix, path string) {
	switch {
	case strings.EqualFold(k.Key, "aws:SourceIp") && op.family == famIP && len(prefixes) > 0:
		private := 0
		for _, p := range prefixes {
			for _, blk := range lintPrivateBlocks {
				if p.Addr().Is4() == blk.Addr().Is4() && blk.Contains(p.Addr()) && p.Bits() >= blk.Bits() {
					private++
					break
				}
			}
		}
		switch {
		case private == 0:
		case private == len(prefixes) && op.negated:
			l.add(SeverityError, "PRIVATE_NOT_IP_ADDRESS", path, "aws:SourceIp holds only public addresses, so NotIpAddress with only private ranges is always true and has no effect. Use aws:VpcSourceIp for private addresses.")
		case private == len(prefixes):
			l.add(SeverityError, "PRIVATE_IP_ADDRESS", path, "aws:SourceIp holds only public addresses, so a condition on only private ranges never matches. Use aws:VpcSourceIp for private addresses.")
		case op.negated:
			l.add(SeveritySuggestion, "PRIVATE_NOT_IP_ADDRESS_SUBSET", path, "aws:SourceIp holds only public addresses, so the private ranges listed have no effect. Use aws:VpcSourceIp for private addresses.")
		default:
			l.add(SeveritySuggestion, "PRIVATE_IP_ADDRESS_SUBSET", path, "aws:SourceIp holds only public addresses, so the private ranges listed never match. Use aws:VpcSourceIp for private addresses.")
		}
	case op.family != famString:
	case strings.EqualFold(k.Key, "aws:SourceVpc"), strings.EqualFold(k.Key, "aws:SourceVpce"):
		prefix, code := "vpc-", "INVALID_VPC_FORMAT"
		if strings.EqualFold(k.Key, "aws:SourceVpce") {
			prefix, code = "vpce-", "INVALID_VPCE_FORMAT"
		}
		for x, v := range k.Values.List {
			if lintHasPattern(v) {
				continue
			}
			if id, ok := strings.CutPrefix(v, prefix); !ok || (len(id) != 8 && len(id) != 17) || !lintAlnum(id) {
				l.add(SeverityError, code, fmt.Sprintf("%s[%d]", path, x), fmt.Sprintf("%s is not a %s ID: %s followed by 8 or 17 letters and digits.", quote(v), strings.TrimSuffix(prefix, "-"), prefix))
			}
		}
	case strings.EqualFold(k.Key, "aws:RequestedRegion"):
		for x, v := range k.Values.List {
			if lintHasPattern(v) {
				continue
			}
			if op.ignoreCase {
				v = strings.ToLower(v)
			}
			if !lintRegionShaped(v) {
				l.add(SeverityError, "INVALID_REGION", fmt.Sprintf("%s[%d]", path, x), fmt.Sprintf("%s is not a Region code such as us-east-1.", quote(v)))
			}
		}
	}
}

// lintHasVariable reports whether s has a policy variable other than the
// ${*}, ${?} and ${$} escapes.
func lintHasVariable(s string) bool {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return false
		}
		s = s[i+2:]
		if !strings.HasPrefix(s, "*}") && !strings.HasPrefix(s, "?}") && !strings.HasPrefix(s, "$}") {
			return true
		}
	}
}

// lintIsEpoch reports whether a date parseDate accepts is in epoch seconds.
func lintIsEpoch(s string) bool {
	return s != "" && s[0] >= '0' && s[0] <= '9' && !strings.ContainsAny(s, "-:T")
}
