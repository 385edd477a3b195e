package policy

import (
	"strings"
	"testing"
)

// condCase is one Condition element checked against one request context.
// ctx holds key, value pairs: "a|b" is a key with two values, "∅" a key
// present with an empty set of values, "" a key whose one value is the empty
// string.
type condCase struct {
	name string
	cond string
	ctx  []string
	want bool
}

func condContext(kv []string) *Context {
	c := NewContext()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "∅" {
			c.Set(kv[i])
			continue
		}
		c.Set(kv[i], strings.Split(kv[i+1], "|")...)
	}
	return c
}

// runConds checks every case twice: as the condition of an Allow (allowed
// exactly when the condition holds) and of a Deny next to an Allow of
// everything (explicitly denied exactly when it holds).
func runConds(t *testing.T, cases []condCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			allow := pol(t, TypeIdentity, "allow", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":`+c.cond+`}}`)
			deny := pol(t, TypeIdentity, "deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":`+c.cond+`}]}`)
			p := who(t, userAlice)
			r := Request{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/key", ResourceAccount: acctA, Context: condContext(c.ctx)}
			got := decide(Set{Identity: []*Policy{allow}}, r)
			if (got.Decision == Allowed) != c.want {
				t.Errorf("Allow form: got %v, want condition %v", got.Decision, c.want)
			}
			got = decide(Set{Identity: []*Policy{deny}}, r)
			if (got.Decision == ExplicitDeny) != c.want {
				t.Errorf("Deny form: got %v, want condition %v", got.Decision, c.want)
			}
		})
	}
}

// reference_policies_elements_condition_operators.md, "String condition
// operators"; reference_policies_elements_condition.md for the johndoe cases.
func TestConditionString(t *testing.T) {
	runConds(t, []condCase{
		{"StringEquals exact", `{"StringEquals":{"aws:username":"johndoe"}}`, []string{"aws:username", "johndoe"}, true},
		{"StringEquals is case-sensitive", `{"StringEquals":{"aws:username":"johndoe"}}`, []string{"aws:username", "JohnDoe"}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"johndoe"}}`, []string{"aws:username", "JohnDoe"}, true},
		{"StringEqualsIgnoreCase different", `{"StringEqualsIgnoreCase":{"aws:username":"johndoe"}}`, []string{"aws:username", "janedoe"}, false},
		{"StringNotEquals differs only in case", `{"StringNotEquals":{"aws:username":"johndoe"}}`, []string{"aws:username", "JohnDoe"}, true},
		{"StringNotEquals same", `{"StringNotEquals":{"aws:username":"johndoe"}}`, []string{"aws:username", "johndoe"}, false},
		{"StringNotEqualsIgnoreCase same but case", `{"StringNotEqualsIgnoreCase":{"aws:username":"johndoe"}}`, []string{"aws:username", "JOHNDOE"}, false},
		{"StringNotEqualsIgnoreCase different", `{"StringNotEqualsIgnoreCase":{"aws:username":"johndoe"}}`, []string{"aws:username", "jane"}, true},
		{"StringLike star", `{"StringLike":{"s3:prefix":"home/*"}}`, []string{"s3:prefix", "home/alice/photos"}, true},
		{"StringLike is case-sensitive", `{"StringLike":{"s3:prefix":"home/*"}}`, []string{"s3:prefix", "Home/alice"}, false},
		{"StringLike question mark is one character", `{"StringLike":{"s3:prefix":"file-?.txt"}}`, []string{"s3:prefix", "file-1.txt"}, true},
		{"StringLike question mark is not two", `{"StringLike":{"s3:prefix":"file-?.txt"}}`, []string{"s3:prefix", "file-10.txt"}, false},
		{"StringLike question mark is not zero", `{"StringLike":{"s3:prefix":"file-?.txt"}}`, []string{"s3:prefix", "file-.txt"}, false},
		{"StringLike star matches empty", `{"StringLike":{"s3:prefix":"*"}}`, []string{"s3:prefix", ""}, true},
		{"StringLike empty matches empty", `{"StringLike":{"s3:prefix":["","home/"]}}`, []string{"s3:prefix", ""}, true},
		{"StringLike needs wildcards for partial matches", `{"StringLike":{"s3:prefix":"home"}}`, []string{"s3:prefix", "home/alice"}, false},
		// "single-character match wildcards (?)": one character, not one byte.
		{"StringLike question mark is one non-ASCII character", `{"StringLike":{"s3:prefix":"caf?"}}`, []string{"s3:prefix", "café"}, true},
		{"StringLike two question marks are not one character", `{"StringLike":{"s3:prefix":"caf??"}}`, []string{"s3:prefix", "café"}, false},
		{"StringLike star then question mark, non-ASCII", `{"StringLike":{"s3:prefix":"*?é"}}`, []string{"s3:prefix", "ééé"}, true},
		{"StringLike question mark, four-byte character", `{"StringLike":{"s3:prefix":"a?b"}}`, []string{"s3:prefix", "a😀b"}, true},
		{"StringLike star and non-ASCII literal", `{"StringLike":{"s3:prefix":"*é*"}}`, []string{"s3:prefix", "caféine"}, true},
		{"StringEqualsIgnoreCase non-ASCII", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/city":"ZÜRICH"}}`, []string{"aws:PrincipalTag/city", "zürich"}, true},
		{"StringEqualsIgnoreCase non-ASCII, other letter", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/city":"ZÜRICH"}}`, []string{"aws:PrincipalTag/city", "zurich"}, false},
		{"StringEqualsIgnoreCase non-ASCII through a variable", `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/city":"${aws:PrincipalTag/home}"}}`, []string{"aws:PrincipalTag/city", "zürich", "aws:PrincipalTag/home", "ZÜRICH"}, true},
		{"StringEquals non-ASCII through a variable is case-sensitive", `{"StringEquals":{"aws:PrincipalTag/city":"${aws:PrincipalTag/home}"}}`, []string{"aws:PrincipalTag/city", "zürich", "aws:PrincipalTag/home", "ZÜRICH"}, false},
		{"StringLike ? through a variable's neighbour", `{"StringLike":{"s3:prefix":"${aws:username}/?"}}`, []string{"s3:prefix", "jörg/ß", "aws:username", "jörg"}, true},
		{"StringLike several stars", `{"StringLike":{"s3:prefix":"*/a*b/*"}}`, []string{"s3:prefix", "x/y/aXXb/z"}, true},
		{"StringEquals has no wildcards", `{"StringEquals":{"s3:prefix":"a*"}}`, []string{"s3:prefix", "abc"}, false},
		{"StringEquals star is literal", `{"StringEquals":{"s3:prefix":"a*"}}`, []string{"s3:prefix", "a*"}, true},
		{"StringEquals question mark is literal", `{"StringEquals":{"s3:prefix":"a?c"}}`, []string{"s3:prefix", "abc"}, false},
		{"StringNotLike no match", `{"StringNotLike":{"ec2:InstanceType":"t2.*"}}`, []string{"ec2:InstanceType", "m5.large"}, true},
		{"StringNotLike match", `{"StringNotLike":{"ec2:InstanceType":"t2.*"}}`, []string{"ec2:InstanceType", "t2.micro"}, false},
		// The condition operators page, "Important": a missing key does not
		// match, so a negated operator is satisfied.
		{"StringEquals missing key", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, nil, false},
		{"StringLike missing key", `{"StringLike":{"s3:prefix":"*"}}`, nil, false},
		{"StringNotEquals missing key", `{"StringNotEquals":{"aws:username":"johndoe"}}`, nil, true},
		{"StringNotLike missing key", `{"StringNotLike":{"s3:prefix":"*"}}`, nil, true},
		{"StringNotEqualsIgnoreCase missing key", `{"StringNotEqualsIgnoreCase":{"aws:username":"x"}}`, nil, true},
		// Condition key names are case-insensitive, values are not.
		{"key name case-insensitive", `{"StringEquals":{"AWS:UserName":"johndoe"}}`, []string{"aws:username", "johndoe"}, true},
		{"key name case-insensitive in context", `{"StringEquals":{"aws:username":"johndoe"}}`, []string{"AWS:USERNAME", "johndoe"}, true},
		{"tag key case-insensitive", `{"StringEquals":{"aws:ResourceTag/TagKey1":"Value1"}}`, []string{"aws:resourcetag/tagkey1", "Value1"}, true},
		{"tag value case-sensitive", `{"StringEquals":{"aws:ResourceTag/TagKey1":"Value1"}}`, []string{"aws:ResourceTag/TagKey1", "value1"}, false},
	})
}

// reference_policies_elements_condition_operators.md, "Numeric condition
// operators".
func TestConditionNumeric(t *testing.T) {
	runConds(t, []condCase{
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, []string{"s3:max-keys", "10"}, true},
		{"NumericEquals integer and decimal", `{"NumericEquals":{"s3:max-keys":"10"}}`, []string{"s3:max-keys", "10.0"}, true},
		{"NumericEquals decimals", `{"NumericEquals":{"k:n":"1.5"}}`, []string{"k:n", "1.50"}, true},
		{"NumericEquals negative", `{"NumericEquals":{"k:n":"-3"}}`, []string{"k:n", "-3"}, true},
		{"NumericEquals different", `{"NumericEquals":{"k:n":"3"}}`, []string{"k:n", "-3"}, false},
		{"NumericNotEquals different", `{"NumericNotEquals":{"k:n":"10"}}`, []string{"k:n", "11"}, true},
		{"NumericNotEquals same", `{"NumericNotEquals":{"k:n":"10"}}`, []string{"k:n", "10"}, false},
		{"NumericLessThan below", `{"NumericLessThan":{"k:n":"10"}}`, []string{"k:n", "9"}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"k:n":"10"}}`, []string{"k:n", "10"}, false},
		{"NumericLessThan negative decimals", `{"NumericLessThan":{"k:n":"-0.5"}}`, []string{"k:n", "-1"}, true},
		{"NumericLessThanEquals equal", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, []string{"s3:max-keys", "10"}, true},
		{"NumericLessThanEquals above", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, []string{"s3:max-keys", "10.5"}, false},
		{"NumericLessThanEquals JSON number", `{"NumericLessThanEquals":{"s3:max-keys":10}}`, []string{"s3:max-keys", "7"}, true},
		{"NumericGreaterThan above", `{"NumericGreaterThan":{"k:n":"0.1"}}`, []string{"k:n", "0.2"}, true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"k:n":"0.1"}}`, []string{"k:n", "0.1"}, false},
		{"NumericGreaterThanEquals equal negative", `{"NumericGreaterThanEquals":{"k:n":"-5"}}`, []string{"k:n", "-5"}, true},
		{"NumericGreaterThanEquals below", `{"NumericGreaterThanEquals":{"k:n":"-5"}}`, []string{"k:n", "-6"}, false},
		{"Numeric missing key", `{"NumericLessThan":{"k:n":"10"}}`, nil, false},
		{"NumericNotEquals missing key", `{"NumericNotEquals":{"k:n":"10"}}`, nil, true},
		{"Numeric value that is not a number", `{"NumericEquals":{"k:n":"10"}}`, []string{"k:n", "ten"}, false},
		{"Numeric several values", `{"NumericEquals":{"k:n":["1","2"]}}`, []string{"k:n", "2"}, true},
		// reference_policies_condition-keys.md, aws:EpochTime: works with
		// numeric operators too.
		{"EpochTime numeric", `{"NumericLessThan":{"aws:EpochTime":"1700000000"}}`, []string{"aws:EpochTime", "1600000000"}, true},
	})
}

// reference_policies_elements_condition_operators.md, "Date condition
// operators": W3C ISO 8601 forms or epoch seconds.
func TestConditionDate(t *testing.T) {
	const t0 = "2020-01-01T00:00:00Z"
	runConds(t, []condCase{
		{"DateEquals ISO", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals epoch request", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "1577836800"}, true},
		{"DateEquals epoch policy", `{"DateEquals":{"aws:EpochTime":"1577836800"}}`, []string{"aws:EpochTime", t0}, true},
		{"DateEquals epoch policy as JSON number", `{"DateEquals":{"aws:EpochTime":1577836800}}`, []string{"aws:EpochTime", "1577836800"}, true},
		{"DateEquals date only", `{"DateEquals":{"aws:CurrentTime":"2020-01-01"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals offset", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals year and month", `{"DateEquals":{"aws:CurrentTime":"2020-01"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateLessThan year and month", `{"DateLessThan":{"aws:CurrentTime":"2020-02"}}`, []string{"aws:CurrentTime", "2020-01-31T23:59:59Z"}, true},
		{"DateEquals offset without colon", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T02:00:00+0200"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals negative offset", `{"DateEquals":{"aws:CurrentTime":"2019-12-31T19:00:00-05:00"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals fraction without zone", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00:00.000"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals minutes only", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00Z"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateEquals fraction differs", `{"DateEquals":{"aws:CurrentTime":"2020-01-01T00:00:00.500Z"}}`, []string{"aws:CurrentTime", t0}, false},
		{"DateGreaterThan fraction", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "2020-01-01T00:00:00.500Z"}, true},
		{"DateNotEquals different", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-02T00:00:00Z"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateNotEquals same", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", t0}, false},
		{"DateLessThan before", `{"DateLessThan":{"aws:CurrentTime":"2020-06-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "2020-05-31T23:59:59Z"}, true},
		{"DateLessThan equal", `{"DateLessThan":{"aws:CurrentTime":"2020-06-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "2020-06-01T00:00:00Z"}, false},
		{"DateLessThanEquals equal", `{"DateLessThanEquals":{"aws:CurrentTime":"2020-06-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "2020-06-01T00:00:00Z"}, true},
		{"DateGreaterThan TokenIssueTime", `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, []string{"aws:TokenIssueTime", "2020-03-01T12:00:00Z"}, true},
		{"DateGreaterThan before", `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, []string{"aws:TokenIssueTime", "2019-12-31T12:00:00Z"}, false},
		// "The aws:TokenIssueTime key is present ... only when the
		// principal uses temporary credentials": an IAM user does not match.
		{"DateGreaterThan missing key", `{"DateGreaterThan":{"aws:TokenIssueTime":"2020-01-01T00:00:01Z"}}`, nil, false},
		{"DateGreaterThanEquals equal", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", t0}, true},
		{"DateNotEquals missing key", `{"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, nil, true},
		{"Date value that is not a date", `{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`, []string{"aws:CurrentTime", "yesterday"}, false},
	})
}

// reference_policies_elements_condition_operators.md, "Boolean", "Binary"
// and "Null" sections; reference_policies_condition-keys.md,
// aws:MultiFactorAuthPresent.
func TestConditionBoolBinaryNull(t *testing.T) {
	runConds(t, []condCase{
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, []string{"aws:SecureTransport", "true"}, true},
		{"Bool false against true", `{"Bool":{"aws:SecureTransport":"false"}}`, []string{"aws:SecureTransport", "true"}, false},
		{"Bool JSON literal", `{"Bool":{"aws:SecureTransport":false}}`, []string{"aws:SecureTransport", "false"}, true},
		{"Bool missing key", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, nil, false},
		{"BoolIfExists missing key", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, nil, true},
		{"BoolIfExists present", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, []string{"aws:MultiFactorAuthPresent", "true"}, false},
		{"BinaryEquals same bytes", `{"BinaryEquals":{"k:bin":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, []string{"k:bin", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}, true},
		{"BinaryEquals different bytes", `{"BinaryEquals":{"k:bin":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, []string{"k:bin", "QmluYXJ5VmFsdWVJbkJhc2U2NQ=="}, false},
		{"BinaryEquals missing key", `{"BinaryEquals":{"k:bin":"QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}`, nil, false},
		{"BinaryEquals several values", `{"BinaryEquals":{"k:bin":["AAEC","AwQF"]}}`, []string{"k:bin", "AwQF"}, true},
		{"Null true, absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"Null true, present", `{"Null":{"aws:TokenIssueTime":"true"}}`, []string{"aws:TokenIssueTime", "2020-01-01T00:00:00Z"}, false},
		{"Null false, present", `{"Null":{"aws:TokenIssueTime":"false"}}`, []string{"aws:TokenIssueTime", "2020-01-01T00:00:00Z"}, true},
		{"Null false, absent", `{"Null":{"aws:TokenIssueTime":"false"}}`, nil, false},
		{"Null JSON literal", `{"Null":{"aws:TokenIssueTime":true}}`, nil, true},
		{"Null true, empty set", `{"Null":{"aws:TagKeys":"true"}}`, []string{"aws:TagKeys", "∅"}, true},
	})
}

// reference_policies_elements_condition_operators.md, "IP address
// condition operators".
func TestConditionIP(t *testing.T) {
	runConds(t, []condCase{
		{"IPv4 in CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "203.0.113.7"}, true},
		{"IPv4 outside CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "203.0.114.1"}, false},
		{"address without prefix is /32", `{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}`, []string{"aws:SourceIp", "203.0.113.5"}, true},
		{"address without prefix is /32, neighbour", `{"IpAddress":{"aws:SourceIp":"203.0.113.5"}}`, []string{"aws:SourceIp", "203.0.113.6"}, false},
		{"host bits in the policy CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.77/24"}}`, []string{"aws:SourceIp", "203.0.113.1"}, true},
		{"IPv6 in CIDR", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, []string{"aws:SourceIp", "2001:db8:1234:5678:abcd::1"}, true},
		{"IPv6 outside CIDR", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, []string{"aws:SourceIp", "2001:db8:1234:5679::1"}, false},
		{"IPv6 single address", `{"IpAddress":{"aws:SourceIp":"2001:db8::1"}}`, []string{"aws:SourceIp", "2001:DB8:0::1"}, true},
		{"IPv4 and IPv6 mixed, v6 request", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, []string{"aws:SourceIp", "2001:db8:1234:5678::99"}, true},
		{"IPv4 and IPv6 mixed, v4 request", `{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:DB8:1234:5678::/64"]}}`, []string{"aws:SourceIp", "203.0.113.200"}, true},
		{"IPv4 request against IPv6 range", `{"IpAddress":{"aws:SourceIp":"2001:DB8:1234:5678::/64"}}`, []string{"aws:SourceIp", "203.0.113.200"}, false},
		{"IPv4-mapped request", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "::ffff:203.0.113.7"}, true},
		{"IPv4-mapped request outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "::ffff:198.51.100.7"}, false},
		{"IPv4-mapped policy range", `{"IpAddress":{"aws:SourceIp":"::ffff:203.0.113.0/120"}}`, []string{"aws:SourceIp", "203.0.113.7"}, true},
		{"IpAddress missing key", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "198.51.100.1"}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "203.0.113.1"}, false},
		{"NotIpAddress missing key", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, true},
		{"NotIpAddress several ranges, in second", `{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}`, []string{"aws:SourceIp", "198.51.100.9"}, false},
		{"NotIpAddress several ranges, in none", `{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]}}`, []string{"aws:SourceIp", "192.0.2.9"}, true},
	})
}

// reference_policies_elements_condition_operators.md, "Amazon Resource Name
// (ARN) condition operators": each of the six colon-delimited parts is
// matched on its own; ArnEquals and ArnLike behave identically.
func TestConditionARN(t *testing.T) {
	const docValue = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
	runConds(t, []condCase{
		{"doc example ArnLike fails", `{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, []string{"aws:SourceArn", docValue}, false},
		{"doc example StringLike succeeds", `{"StringLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}`, []string{"aws:SourceArn", docValue}, true},
		{"ArnLike wildcard account", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin-ops"}, true},
		{"ArnEquals takes wildcards too", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin-ops"}, true},
		{"ArnEquals exact", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}`, []string{"aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic"}, true},
		{"ArnLike question mark", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::11112222333?:root"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::111122223333:root"}, true},
		{"ArnLike question mark does not cross a colon", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-?:123456789012:topic"}}`, []string{"aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:topic"}, true},
		{"ArnLike is case-sensitive", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/Admin"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin"}, false},
		{"ArnLike resource part spans colons and slashes", `{"ArnLike":{"aws:SourceArn":"arn:aws:logs:*:*:log-group:/aws/*"}}`, []string{"aws:SourceArn", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/x:*"}, true},
		{"ArnLike star in region does not reach the account", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:topic"}}`, []string{"aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic"}, false},
		{"ArnLike empty region", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::bucket-*"}}`, []string{"aws:SourceArn", "arn:aws:s3:::bucket-logs"}, true},
		{"ArnLike wrong service", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, []string{"aws:SourceArn", "arn:aws:sns:us-east-1:111122223333:topic"}, false},
		{"ArnNotEquals different", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::444455556666:user/user-name"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::444455556666:user/other"}, true},
		{"ArnNotEquals same", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::444455556666:user/user-name"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::444455556666:user/user-name"}, false},
		{"ArnNotLike wildcard match", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}`, []string{"aws:PrincipalArn", "arn:aws:iam::111122223333:role/admin-x"}, false},
		{"ArnNotLike missing key", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin-*"}}`, nil, true},
		{"ArnLike missing key", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, nil, false},
		{"ArnLike several values", `{"ArnLike":{"aws:SourceArn":["arn:aws:s3:::a","arn:aws:s3:::b*"]}}`, []string{"aws:SourceArn", "arn:aws:s3:::bee"}, true},
	})
}

// reference_policies_elements_condition_operators.md, "...IfExists
// condition operators".
func TestConditionIfExists(t *testing.T) {
	runConds(t, []condCase{
		{"StringLikeIfExists missing", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, nil, true},
		{"StringLikeIfExists match", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, []string{"ec2:InstanceType", "t2.micro"}, true},
		{"StringLikeIfExists mismatch", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, []string{"ec2:InstanceType", "m5.large"}, false},
		{"StringNotEqualsIfExists missing", `{"StringNotEqualsIfExists":{"aws:ResourceTag/team":"blue"}}`, nil, true},
		{"StringNotEqualsIfExists equal", `{"StringNotEqualsIfExists":{"aws:ResourceTag/team":"blue"}}`, []string{"aws:ResourceTag/team", "blue"}, false},
		{"NumericLessThanIfExists missing", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, nil, true},
		{"NumericLessThanIfExists too old", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"3600"}}`, []string{"aws:MultiFactorAuthAge", "7200"}, false},
		{"DateLessThanIfExists missing", `{"DateLessThanIfExists":{"aws:TokenIssueTime":"2020-01-01T00:00:00Z"}}`, nil, true},
		{"IpAddressIfExists missing", `{"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}`, nil, true},
		{"NotIpAddressIfExists inside", `{"NotIpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}`, []string{"aws:SourceIp", "203.0.113.1"}, false},
		{"ArnLikeIfExists missing", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::x"}}`, nil, true},
		{"BinaryEqualsIfExists missing", `{"BinaryEqualsIfExists":{"k:bin":"AAEC"}}`, nil, true},
		{"ForAllValues:StringEqualsIfExists missing", `{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAnyValue:StringEqualsIfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAnyValue:StringEqualsIfExists present, no match", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}`, []string{"aws:TagKeys", "b|c"}, false},
		{"ForAnyValue:StringEqualsIfExists present, match", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a"]}}`, []string{"aws:TagKeys", "b|a"}, true},
	})
}

// reference_policies_multi-value-conditions.md: AND across operators and
// keys, OR across values, NOR for negated operators with several values,
// and the set operators.
func TestConditionMultipleKeysAndValues(t *testing.T) {
	// "Evaluation logic for conditions with multiple keys or values".
	docBlock := `{"StringEqualsIgnoreCase":{"aws:PrincipalTag/department":["finance","hr","legal"],"aws:PrincipalTag/role":["audit","security"]},"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`
	runConds(t, []condCase{
		{"doc block all match", docBlock, []string{"aws:PrincipalTag/department", "HR", "aws:PrincipalTag/role", "audit", "aws:PrincipalAccount", "123456789012"}, true},
		{"doc block one key missing", docBlock, []string{"aws:PrincipalTag/department", "hr", "aws:PrincipalAccount", "123456789012"}, false},
		{"doc block other operator fails", docBlock, []string{"aws:PrincipalTag/department", "hr", "aws:PrincipalTag/role", "security", "aws:PrincipalAccount", "999999999999"}, false},
		{"doc block value outside list", docBlock, []string{"aws:PrincipalTag/department", "sales", "aws:PrincipalTag/role", "audit", "aws:PrincipalAccount", "123456789012"}, false},
		{"several values OR", `{"StringEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}`, []string{"aws:PrincipalAccount", "222222222222"}, true},
		{"several values OR none", `{"StringEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}`, []string{"aws:PrincipalAccount", "333333333333"}, false},
		// "When multiple values are listed ... for negated matching condition
		// operators ... the effective permissions work like a logical AND".
		{"negated several values, matches one", `{"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}`, []string{"aws:PrincipalAccount", "222222222222"}, false},
		{"negated several values, matches none", `{"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}`, []string{"aws:PrincipalAccount", "333333333333"}, true},
		{"DateNotEquals several values", `{"DateNotEquals":{"aws:CurrentTime":["2020-01-01T00:00:00Z","2021-01-01T00:00:00Z"]}}`, []string{"aws:CurrentTime", "2021-01-01T00:00:00Z"}, false},
		{"several keys AND, both", `{"StringEquals":{"k:a":"1","k:b":"2"}}`, []string{"k:a", "1", "k:b", "2"}, true},
		{"several keys AND, one", `{"StringEquals":{"k:a":"1","k:b":"2"}}`, []string{"k:a", "1", "k:b", "3"}, false},
		{"several operators AND, both", `{"StringEquals":{"k:a":"1"},"NumericLessThan":{"k:n":"5"}}`, []string{"k:a", "1", "k:n", "4"}, true},
		{"several operators AND, one", `{"StringEquals":{"k:a":"1"},"NumericLessThan":{"k:n":"5"}}`, []string{"k:a", "1", "k:n", "6"}, false},
		{"several operators AND, negated one", `{"StringEquals":{"k:a":"1"},"StringNotEquals":{"k:b":"x"}}`, []string{"k:a", "1", "k:b", "x"}, false},
	})
}

// reference_policies_multi-value-conditions.md, "Using multiple keys and
// values" and the notes on empty sets: ForAllValues is true for a missing
// key or an empty (null) set, ForAnyValue false.
func TestConditionSetOperators(t *testing.T) {
	const forAll = `{"ForAllValues:StringEquals":{"dynamodb:Attributes":["ID","Message","Tags"]}}`
	const forAny = `{"ForAnyValue:StringEquals":{"dynamodb:Attributes":["ID","PostDateTime"]}}`
	runConds(t, []condCase{
		{"ForAllValues all listed", forAll, []string{"dynamodb:Attributes", "Message|Tags|ID"}, true},
		{"ForAllValues one not listed", forAll, []string{"dynamodb:Attributes", "Message|UserName"}, false},
		{"ForAllValues single value listed", forAll, []string{"dynamodb:Attributes", "Tags"}, true},
		{"ForAllValues missing key", forAll, nil, true},
		{"ForAllValues empty set", forAll, []string{"dynamodb:Attributes", "∅"}, true},
		{"ForAllValues empty string", forAll, []string{"dynamodb:Attributes", ""}, true},
		{"ForAllValues is case-sensitive", forAll, []string{"dynamodb:Attributes", "message"}, false},
		{"ForAnyValue one listed", forAny, []string{"dynamodb:Attributes", "PostDateTime|Message"}, true},
		{"ForAnyValue none listed", forAny, []string{"dynamodb:Attributes", "UserName"}, false},
		{"ForAnyValue missing key", forAny, nil, false},
		{"ForAnyValue empty set", forAny, []string{"dynamodb:Attributes", "∅"}, false},
		{"ForAnyValue empty string", forAny, []string{"dynamodb:Attributes", ""}, false},
		{"ForAllValues:StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":["cost-*","dept"]}}`, []string{"aws:TagKeys", "cost-center|dept"}, true},
		{"ForAllValues:StringLike one outside", `{"ForAllValues:StringLike":{"aws:TagKeys":["cost-*","dept"]}}`, []string{"aws:TagKeys", "cost-center|owner"}, false},
		{"ForAnyValue:StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":["env*"]}}`, []string{"aws:TagKeys", "owner|environment"}, true},
		{"ForAllValues:StringEqualsIgnoreCase", `{"ForAllValues:StringEqualsIgnoreCase":{"aws:TagKeys":["Dept","Cost-Center"]}}`, []string{"aws:TagKeys", "dept|COST-CENTER"}, true},
		{"ForAllValues:StringNotEquals none forbidden", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, []string{"aws:TagKeys", "c|d"}, true},
		{"ForAllValues:StringNotEquals one forbidden", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, []string{"aws:TagKeys", "a|c"}, false},
		{"ForAllValues:StringNotEquals missing key", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, nil, true},
		{"ForAnyValue:StringNotEquals one other", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, []string{"aws:TagKeys", "a|b"}, true},
		{"ForAnyValue:StringNotEquals only listed", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, []string{"aws:TagKeys", "a"}, false},
		{"ForAnyValue:StringNotEquals missing key", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, nil, false},
		{"ForAllValues:NumericLessThan", `{"ForAllValues:NumericLessThan":{"k:nums":"5"}}`, []string{"k:nums", "1|2|4.5"}, true},
		{"ForAllValues:NumericLessThan one above", `{"ForAllValues:NumericLessThan":{"k:nums":"5"}}`, []string{"k:nums", "1|7"}, false},
		{"ForAnyValue:IpAddress", `{"ForAnyValue:IpAddress":{"k:ips":"10.0.0.0/8"}}`, []string{"k:ips", "192.0.2.1|10.1.2.3"}, true},
		{"ForAnyValue:ArnLike", `{"ForAnyValue:ArnLike":{"k:arns":"arn:aws:iam::*:role/x"}}`, []string{"k:arns", "arn:aws:iam::111122223333:role/y|arn:aws:iam::111122223333:role/x"}, true},
		// aws:CalledVia, reference_policies_condition-keys.md.
		{"CalledVia via DynamoDB", `{"ForAnyValue:StringEquals":{"aws:CalledVia":["dynamodb.amazonaws.com"]}}`, []string{"aws:CalledVia", "cloudformation.amazonaws.com|dynamodb.amazonaws.com"}, true},
		{"CalledVia called directly", `{"ForAnyValue:StringEquals":{"aws:CalledVia":["dynamodb.amazonaws.com"]}}`, nil, false},
	})
}
