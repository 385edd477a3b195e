package sts

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rolecall/rolecall/arn"
	"github.com/rolecall/rolecall/internal/authz"
	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/iam"
	"github.com/rolecall/rolecall/internal/sts/token"
	"github.com/rolecall/rolecall/policy"
)

// Limits of AssumeRole (STS API reference; reference_iam-quotas.md).
const (
	defaultRoleSession = 3600  // seconds
	minSession         = 900   // 15 minutes
	maxRoleSession     = 43200 // 12 hours, the largest MaxSessionDuration
	chainedMaxSession  = 3600  // role chaining: one hour
	maxPolicyLen       = 2048
	maxPolicyARNs      = 10
	maxSessionTags     = 50
	maxServiceSession  = token.MaxSessionDuration
)

// AssumeRoleInput is AssumeRole's request.
type AssumeRoleInput struct {
	RoleArn         string
	RoleSessionName string
	// DurationSeconds is nil when the request has none (3600).
	DurationSeconds *int32
	// Policy is the inline session policy; nil when absent.
	Policy            *string
	PolicyArns        []string
	Tags              []token.Tag
	TransitiveTagKeys []string
	ExternalId        *string
	SourceIdentity    *string
	// SerialNumber and TokenCode are validated and otherwise ignored:
	// rolecall has no MFA devices.
	SerialNumber, TokenCode string
	// Parent is the caller's own session when it signed with temporary
	// credentials: its transitive tags and source identity carry over, and
	// the new session is limited to one hour (role chaining).
	Parent *token.Claims
	// Trusted skips authorization (the root refusal and the policy
	// evaluation) for `serve --dev`, where every caller is an unchecked
	// root: like moto or LocalStack, any existing role may be assumed.
	// Validation still applies.
	Trusted bool
}

// AssumeRoleOutput is AssumeRole's result.
type AssumeRoleOutput struct {
	Credentials Credentials
	// AssumedRoleID is "AROA...:session"; AssumedRoleARN
	// "arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION".
	AssumedRoleID  string
	AssumedRoleARN string
	// PackedPolicySize is set when the request passed session policies or
	// tags: the percentage of the allotted space they take.
	PackedPolicySize *int
	SourceIdentity   string
}

// AssumeRole returns temporary credentials for a role, when the role's trust
// policy and the caller's own policies allow the caller to assume it.
func (s *Service) AssumeRole(ctx context.Context, caller iam.Caller, env *authz.Env, in AssumeRoleInput) (*AssumeRoleOutput, error) {
	if err := validateAssumeRole(&in); err != nil {
		return nil, err
	}
	roleARN, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	tags, transitive, err := sessionTags(&in)
	if err != nil {
		return nil, err
	}
	var sessionPolicy string
	if in.Policy != nil {
		if _, err := policy.Check([]byte(*in.Policy), policy.CheckOptions{Type: policy.TypeSession}); err != nil {
			if pe, ok := err.(*policy.Error); ok {
				return nil, awserr.MalformedPolicyDocument("%s", pe.Message)
			}
			return nil, awserr.MalformedPolicyDocument("%s", err.Error())
		}
		sessionPolicy = *in.Policy
	}
	sourceIdentity := ""
	if in.SourceIdentity != nil {
		sourceIdentity = *in.SourceIdentity
	}
	if p := in.Parent; p != nil && p.SourceIdentity != "" {
		// Set once, then kept through role chaining.
		if sourceIdentity != "" && sourceIdentity != p.SourceIdentity {
			// AWS's exact answer is not documented; rolecall refuses
			// the change as it refuses any unauthorized action.
			return nil, awserr.AccessDenied("User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s", caller.ARN, in.RoleArn)
		}
		sourceIdentity = p.SourceIdentity
	}
	if arn.ClassifyPrincipal(caller.ARN) == arn.PrincipalRoot && !in.Trusted {
		return nil, awserr.AccessDenied("Roles may not be assumed by root accounts.")
	}

	id, err := s.Authz.LoadIdentity(ctx, caller, env)
	if err != nil {
		if e, ok := awserr.As(err); ok && e.Code == "NoSuchEntity" {
			// The caller's user or role is gone (its credentials outlive
			// it): refused like any caller without permission.
			p, _ := policy.PrincipalFromARN(caller.ARN)
			return nil, awserr.AccessDenied("%s", policy.DenialMessage(&p, "sts:AssumeRole", in.RoleArn, policy.ReasonNone))
		}
		return nil, err
	}
	denied := func(action string) error {
		return awserr.AccessDenied("%s", policy.DenialMessage(&id.Principal, action, in.RoleArn, policy.ReasonNone))
	}
	role, err := s.IAM.GetRole(ctx, iam.Caller{Account: roleARN.AccountID}, roleARN.ResourceName())
	if err != nil {
		if _, ok := awserr.As(err); ok {
			// AWS does not tell whether the role exists.
			return nil, denied("sts:AssumeRole")
		}
		return nil, ctxErr(ctx, err)
	}
	if role.ARN != in.RoleArn {
		return nil, denied("sts:AssumeRole") // another path or partition
	}
	keys := &assumeKeys{sessionName: in.RoleSessionName, sourceIdentity: sourceIdentity, requestTags: in.Tags, transitive: in.TransitiveTagKeys}
	if in.ExternalId != nil {
		keys.externalID, keys.hasExternalID = *in.ExternalId, true
	}
	call := assumeRoleCall(role, keys)
	allowed := func(action string) (bool, error) {
		call.Action = action
		res, err := s.Authz.Decide(caller, id, env, call)
		if err != nil {
			return false, err
		}
		return res.Decision == policy.Allowed, nil
	}
	// sts:AssumeRole, then sts:TagSession when the request passes tags, and
	// sts:SetSourceIdentity when it sets a source identity: each
	// must be allowed by the trust policy and the caller's own policies.
	for _, step := range [...]struct {
		action string
		needed bool
	}{
		{"sts:AssumeRole", !in.Trusted},
		{"sts:TagSession", !in.Trusted && (len(in.Tags) > 0 || len(in.TransitiveTagKeys) > 0)},
		// Only a source identity the request sets needs the permission; one
		// inherited through role chaining is carried without it.
		{"sts:SetSourceIdentity", !in.Trusted && in.SourceIdentity != nil},
	} {
		if !step.needed {
			continue
		}
		ok, err := allowed(step.action)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, denied(step.action)
		}
	}

	dur := int32(defaultRoleSession)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
	}
	if caller.Temporary && dur > chainedMaxSession {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	maxDur := int32(role.MaxSessionDuration)
	if maxDur == 0 {
		maxDur = defaultRoleSession
	}
	if dur > maxDur {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	for _, pa := range in.PolicyArns {
		if _, ok, err := s.IAM.ManagedPolicyDocument(ctx, role.Account, pa); err != nil {
			return nil, ctxErr(ctx, err)
		} else if !ok {
			return nil, awserr.New(http.StatusBadRequest, "InvalidParameterValue", "Policy %s does not exist or is not attachable.", pa)
		}
	}

	now := s.now().UTC().Truncate(time.Second)
	c := token.Claims{
		Account:           role.Account,
		Kind:              token.KindAssumedRole,
		RoleARN:           role.ARN,
		RoleID:            role.ID,
		RoleName:          role.Name,
		SessionName:       in.RoleSessionName,
		IssuedAt:          now,
		Expires:           now.Add(time.Duration(dur) * time.Second),
		SessionPolicy:     sessionPolicy,
		SessionPolicyARNs: in.PolicyArns,
		Tags:              tags,
		TransitiveTagKeys: transitive,
		SourceIdentity:    sourceIdentity,
	}
	if in.Parent != nil {
		c.ChainedFrom = in.Parent.RoleARN
		if c.ChainedFrom == "" {
			c.ChainedFrom = in.Parent.UserARN
		}
	}
	creds, err := s.seal(&c)
	if err != nil {
		return nil, err
	}
	s.recordRoleUse(ctx, role, env.Region, now)
	out := &AssumeRoleOutput{
		Credentials:    creds,
		AssumedRoleID:  role.ID + ":" + in.RoleSessionName,
		AssumedRoleARN: arn.AssumedRole(s.partition(), role.Account, role.Name, in.RoleSessionName).String(),
		SourceIdentity: sourceIdentity,
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		n := packedSize(&c)
		out.PackedPolicySize = &n
	}
	return out, nil
}

// assumeKeys are the condition keys of an AssumeRole request.
type assumeKeys struct {
	sessionName    string
	sourceIdentity string
	externalID     string
	hasExternalID  bool
	requestTags    []token.Tag
	transitive     []string
	// service principal callers
	sourceAccount, sourceARN, service string
}

// assumeRoleCall is sts:AssumeRole on role, decided with its trust policy
// and the request's keys.
func assumeRoleCall(role *iam.Role, keys *assumeKeys) *authz.Call {
	return &authz.Call{
		Action:          "sts:AssumeRole",
		Resource:        role.ARN,
		ResourceAccount: role.Account,
		ResourcePolicy:  &iam.PolicyDoc{Name: "AssumeRolePolicyDocument", Document: role.AssumeRolePolicy},
		ResourceType:    policy.TypeTrust,
		Keys:            keys.set,
	}
}

func (k *assumeKeys) set(ctx *policy.Context) {
	if k.sessionName != "" {
		ctx.Set("sts:RoleSessionName", k.sessionName)
	}
	if k.hasExternalID {
		ctx.Set("sts:ExternalId", k.externalID)
	}
	if k.sourceIdentity != "" {
		ctx.Set("sts:SourceIdentity", k.sourceIdentity)
	}
	if len(k.requestTags) > 0 {
		keys := make([]string, len(k.requestTags))
		for i, t := range k.requestTags {
			ctx.Set("aws:RequestTag/"+t.Key, t.Value)
			keys[i] = t.Key
		}
		ctx.Set("aws:TagKeys", keys...)
	}
	if len(k.transitive) > 0 {
		ctx.Set("sts:TransitiveTagKeys", k.transitive...)
	}
	if k.sourceAccount != "" {
		ctx.Set("aws:SourceAccount", k.sourceAccount)
	}
	if k.sourceARN != "" {
		ctx.Set("aws:SourceArn", k.sourceARN)
	}
	if k.service != "" {
		ctx.Set("aws:PrincipalServiceName", k.service)
	}
}

// validateAssumeRole applies STS's API model constraints.
func validateAssumeRole(in *AssumeRoleInput) error {
	var v validation
	if in.RoleArn == "" {
		v.addNull("roleArn", "Member must not be null")
	} else if v.length(in.RoleArn, "roleArn", 20, 2048) && !textOK(in.RoleArn) {
		v.add(in.RoleArn, "roleArn", "Member must satisfy regular expression pattern: "+textPattern)
	}
	if in.RoleSessionName == "" {
		v.addNull("roleSessionName", "Member must not be null")
	} else if v.length(in.RoleSessionName, "roleSessionName", 2, 64) {
		v.sessionName(in.RoleSessionName, "roleSessionName")
	}
	if in.Policy != nil && v.length(*in.Policy, "policy", 1, maxPolicyLen) && !textOK(*in.Policy) {
		v.add(*in.Policy, "policy", "Member must satisfy regular expression pattern: "+textPattern)
	}
	v.duration(in.DurationSeconds, minSession, maxRoleSession)
	if len(in.PolicyArns) > maxPolicyARNs {
		v.add("["+strings.Join(in.PolicyArns, ", ")+"]", "policyArns", "Member must have length less than or equal to "+strconv.Itoa(maxPolicyARNs))
	}
	for i, pa := range in.PolicyArns {
		f := "policyArns." + strconv.Itoa(i+1) + ".member.arn"
		if v.length(pa, f, 20, 2048) && !textOK(pa) {
			v.add(pa, f, "Member must satisfy regular expression pattern: "+textPattern)
		}
	}
	if len(in.Tags) > maxSessionTags {
		v.add(tagList(in.Tags), "tags", "Member must have length less than or equal to "+strconv.Itoa(maxSessionTags))
	}
	for i, t := range in.Tags {
		f := "tags." + strconv.Itoa(i+1) + ".member."
		if v.length(t.Key, f+"key", 1, 128) {
			v.pattern(t.Key, f+"key", tagKeyRE, tagKeyPattern)
		}
		if v.length(t.Value, f+"value", 0, 256) {
			v.pattern(t.Value, f+"value", tagValueRE, tagValuePattern)
		}
	}
	if len(in.TransitiveTagKeys) > maxSessionTags {
		v.add("["+strings.Join(in.TransitiveTagKeys, ", ")+"]", "transitiveTagKeys", "Member must have length less than or equal to "+strconv.Itoa(maxSessionTags))
	}
	if in.ExternalId != nil && v.length(*in.ExternalId, "externalId", 2, 1224) {
		v.pattern(*in.ExternalId, "externalId", externalIDRE, externalIDPattern)
	}
	if in.SourceIdentity != nil && v.length(*in.SourceIdentity, "sourceIdentity", 2, 64) {
		v.sessionName(*in.SourceIdentity, "sourceIdentity")
	}
	v.mfa(in.SerialNumber, in.TokenCode)
	return v.err()
}

func tagList(tags []token.Tag) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, t := range tags {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("Tag(Key=" + t.Key + ", Value=" + t.Value + ")")
	}
	b.WriteByte(']')
	return b.String()
}

// parseRoleARN parses a RoleArn as STS does: anything that is not an ARN
// is "<value> is invalid". An ARN that does not name an IAM role names no
// role the caller may assume (AccessDenied, later).
func parseRoleARN(s string) (arn.ARN, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return arn.ARN{}, awserr.ValidationError("%s is invalid", s)
	}
	return a, nil
}

// sessionTags checks the request's tags and works out the session's: the
// request's plus the transitive tags of the calling session, which cannot
// be overridden.
func sessionTags(in *AssumeRoleInput) (tags []token.Tag, transitive []string, err error) {
	for i, t := range in.Tags {
		for _, u := range in.Tags[:i] {
			if strings.EqualFold(t.Key, u.Key) {
				return nil, nil, invalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
	}
	for _, k := range in.TransitiveTagKeys {
		found := false
		for _, t := range in.Tags {
			if strings.EqualFold(t.Key, k) {
				found = true
				break
			}
		}
		if !found {
			return nil, nil, invalidParameter("The specified transitive tag key must be included in the requested tags.")
		}
	}
	tags = append(tags, in.Tags...)
	transitive = append(transitive, in.TransitiveTagKeys...)
	if p := in.Parent; p != nil {
		for _, pk := range p.TransitiveTagKeys {
			for _, t := range in.Tags {
				if strings.EqualFold(t.Key, pk) {
					return nil, nil, invalidParameter("One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
				}
			}
			for _, pt := range p.Tags {
				if strings.EqualFold(pt.Key, pk) {
					tags = append(tags, pt)
					transitive = append(transitive, pt.Key)
					break
				}
			}
		}
	}
	if len(tags) == 0 {
		tags = nil
	}
	if len(transitive) == 0 {
		transitive = nil
	}
	return tags, transitive, nil
}

func invalidParameter(msg string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "InvalidParameterValue", "%s", msg)
}

// roleUseInterval throttles RoleLastUsed writes per role. AWS itself
// reports RoleLastUsed with a delay of up to hours.
const roleUseInterval = 5 * time.Minute

// recordRoleUse writes the role's RoleLastUsed at most once per
// roleUseInterval per role in this process. Failures are ignored: the
// session is already minted, and the record is informational.
func (s *Service) recordRoleUse(ctx context.Context, role *iam.Role, region string, now time.Time) {
	if now.Sub(role.LastUsed) < roleUseInterval {
		return
	}
	sec := now.Unix()
	prev, loaded := s.lastUse.LoadOrStore(role.ARN, sec)
	if loaded {
		p := prev.(int64)
		if sec-p < int64(roleUseInterval/time.Second) || !s.lastUse.CompareAndSwap(role.ARN, p, sec) {
			return
		}
	}
	_ = s.IAM.RecordRoleUse(ctx, role.Account, role.Name, region, now)
}

// AssumeRoleForService is how rolecall's own services get a role's
// credentials on behalf of an AWS service principal: the ECS control plane
// for task roles (ecs-tasks.amazonaws.com), instance profiles
// (ec2.amazonaws.com), activations (ssm.amazonaws.com). The caller is the
// service principal; the role's trust policy must allow it, with
// aws:SourceAccount and aws:SourceArn when given. There is no caller
// identity policy, and the role's MaxSessionDuration does not apply (AWS
// services get sessions of their own length, e.g. ECS task credentials
// rotate on their own schedule): duration may be anything from 15 minutes
// to 36 hours (the longest session token), 0 meaning one hour.
func (s *Service) AssumeRoleForService(ctx context.Context, service string, roleARN, sessionName string, duration time.Duration, sourceAccount, sourceARN string) (*Credentials, error) {
	if arn.ClassifyPrincipal(service) != arn.PrincipalService {
		return nil, awserr.ValidationError("%s is not a service principal", service)
	}
	var v validation
	if v.length(sessionName, "roleSessionName", 2, 64) {
		v.sessionName(sessionName, "roleSessionName")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if duration == 0 {
		duration = time.Hour
	}
	if duration < minSession*time.Second || duration > maxServiceSession {
		return nil, awserr.ValidationError("The requested duration %v is outside 15 minutes to 36 hours.", duration)
	}
	a, err := parseRoleARN(roleARN)
	if err != nil {
		return nil, err
	}
	p := policy.Principal{ARN: service, Kind: arn.PrincipalService}
	denied := awserr.AccessDenied("Service: %s is not authorized to perform: sts:AssumeRole on resource: %s", service, roleARN)
	role, err := s.IAM.GetRole(ctx, iam.Caller{Account: a.AccountID}, a.ResourceName())
	if err != nil {
		if _, ok := awserr.As(err); ok {
			return nil, denied
		}
		return nil, ctxErr(ctx, err)
	}
	if role.ARN != roleARN {
		return nil, denied
	}
	keys := &assumeKeys{sessionName: sessionName, sourceAccount: sourceAccount, sourceARN: sourceARN, service: service}
	call := assumeRoleCall(role, keys)
	now := s.now().UTC().Truncate(time.Second)
	env := &authz.Env{Now: now}
	res, err := s.Authz.Decide(iam.Caller{ARN: service}, &authz.Identity{Principal: p}, env, call)
	if err != nil {
		return nil, err
	}
	if res.Decision != policy.Allowed {
		return nil, denied
	}
	c := token.Claims{
		Account:     role.Account,
		Kind:        token.KindAssumedRole,
		RoleARN:     role.ARN,
		RoleID:      role.ID,
		RoleName:    role.Name,
		SessionName: sessionName,
		IssuedAt:    now,
		Expires:     now.Add(duration.Truncate(time.Second)),
	}
	creds, err := s.seal(&c)
	if err != nil {
		return nil, err
	}
	s.recordRoleUse(ctx, role, "", now)
	return &creds, nil
}
