package ecs

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/awserr"
	"github.com/rolecall/rolecall/internal/store"
)

var familyRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

// roleARNRE is the shape of an IAM role ARN (with an optional path).
var roleARNRE = regexp.MustCompile(`^arn:[a-z-]+:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

// roleNameRE is an IAM role's name.
var roleNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// RoleARN turns a role's name into its ARN in sc's account: ECS takes "the
// short name or full ARN" of task and execution roles. rolecall keeps (and
// answers) the full ARN. Anything else is returned as it is, for Validate
// to judge.
func (s *Service) RoleARN(sc Scope, nameOrARN string) string {
	if !roleNameRE.MatchString(nameOrARN) {
		return nameOrARN
	}
	sc = s.scope(sc)
	return "arn:" + s.Partition + ":iam::" + sc.Account + ":role/" + nameOrARN
}

// invalidRole is ECS's answer for an unusable role, with why.
func invalidRole(format string, args ...any) *awserr.Error {
	return clientException("Role is not valid: "+format, args...)
}

var networkModes = []string{"bridge", "host", "awsvpc", "none"}

// RegisterTaskDefinitionInput is RegisterTaskDefinition's request.
type RegisterTaskDefinitionInput struct {
	Family                  string                `json:"family"`
	TaskRoleArn             string                `json:"taskRoleArn"`
	ExecutionRoleArn        string                `json:"executionRoleArn"`
	NetworkMode             string                `json:"networkMode"`
	ContainerDefinitions    []ContainerDefinition `json:"containerDefinitions"`
	Volumes                 json.RawMessage       `json:"volumes"`
	PlacementConstraints    json.RawMessage       `json:"placementConstraints"`
	RequiresCompatibilities []string              `json:"requiresCompatibilities"`
	CPU                     string                `json:"cpu"`
	Memory                  string                `json:"memory"`
	Tags                    []Tag                 `json:"tags"`
	PidMode                 string                `json:"pidMode"`
	IpcMode                 string                `json:"ipcMode"`
	ProxyConfiguration      json.RawMessage       `json:"proxyConfiguration"`
	EphemeralStorage        json.RawMessage       `json:"ephemeralStorage"`
	RuntimePlatform         json.RawMessage       `json:"runtimePlatform"`
}

// Validate checks a RegisterTaskDefinition request without touching the
// store, so callers can refuse bad input before authorizing role passing.
func (in *RegisterTaskDefinitionInput) Validate() error {
	if in.Family == "" {
		return clientException("Family cannot be null or empty.")
	}
	if !familyRE.MatchString(in.Family) {
		return clientException("Family must be 1 to 255 letters, numbers, hyphens and underscores, but was %s.", in.Family)
	}
	for _, r := range []string{in.TaskRoleArn, in.ExecutionRoleArn} {
		if r != "" && !roleARNRE.MatchString(r) {
			return invalidRole("%s is neither a role name nor a role ARN.", truncate(r, 600))
		}
	}
	if in.NetworkMode != "" && !slices.Contains(networkModes, in.NetworkMode) {
		return clientException("Invalid networkMode %s. Valid values: %s.", in.NetworkMode, strings.Join(networkModes, ", "))
	}
	for _, c := range in.RequiresCompatibilities {
		switch c {
		case "EC2", "EXTERNAL":
		case "FARGATE":
			if in.NetworkMode != "awsvpc" {
				return clientException("Fargate only supports network mode 'awsvpc'.")
			}
			if in.CPU == "" {
				return clientException("Fargate requires that 'cpu' be defined at the task level.")
			}
			if in.Memory == "" {
				return clientException("Fargate requires that 'memory' be defined at the task level.")
			}
		default:
			return clientException("Invalid requiresCompatibilities value %s.", c)
		}
	}
	if err := validateTags(in.Tags); err != nil {
		return err
	}
	if len(in.ContainerDefinitions) == 0 {
		return clientException("Container list cannot be empty.")
	}
	if len(in.ContainerDefinitions) > 10 {
		return clientException("Too many containers: a task definition can have at most 10.")
	}
	names := map[string]bool{}
	for _, c := range in.ContainerDefinitions {
		if c.Name == "" {
			return clientException("Container.name should not be null or empty.")
		}
		if c.Image == "" {
			return clientException("Container.image should not be null or empty.")
		}
		if names[c.Name] {
			return clientException("Duplicate container name %s: container names must be unique within a task definition.", c.Name)
		}
		names[c.Name] = true
		if in.Memory == "" && c.Memory == nil && c.MemoryRes == nil {
			return clientException("Invalid setting for container '%s'. At least one of 'memory' or 'memoryReservation' must be specified.", c.Name)
		}
		if c.Memory != nil && *c.Memory < 6 {
			return clientException("Invalid 'memory' setting for container '%s'. The memory must be at least 6 MiB.", c.Name)
		}
		if c.Memory != nil && c.MemoryRes != nil && *c.MemoryRes > *c.Memory {
			return clientException("Invalid setting for container '%s'. 'memoryReservation' must be less than or equal to 'memory'.", c.Name)
		}
		for _, e := range c.Environment {
			if e.Name == "" {
				return clientException("Environment variable names cannot be null or empty (container '%s').", c.Name)
			}
		}
	}
	// essential defaults to true; a task needs one (AWS's message).
	if !slices.ContainsFunc(in.ContainerDefinitions, func(c ContainerDefinition) bool { return c.Essential == nil || *c.Essential }) {
		return clientException("Task definition doesn't have any essential container.")
	}
	return nil
}

// TaskDefinitionARN is the ARN of a task definition revision.
func (s *Service) TaskDefinitionARN(sc Scope, family string, rev int) string {
	return s.ARN(sc, "task-definition/"+family+":"+strconv.Itoa(rev))
}

// NextTaskDefinitionARN is the ARN the next registration in family will
// get (for authorizing RegisterTaskDefinition on it).
func (s *Service) NextTaskDefinitionARN(ctx context.Context, sc Scope, family string) (string, error) {
	sc = s.scope(sc)
	next := 1
	err := s.view(ctx, func(r store.Reader) error {
		f, err := get[familyRecord](r, familyKey(sc, family))
		if err == nil {
			next = f.LastRevision + 1
		} else if !isNotFound(err) {
			return err
		}
		return nil
	})
	return s.TaskDefinitionARN(sc, family, next), err
}

// RegisterTaskDefinition registers the next revision of a family (1 for a
// new family). registeredBy is the caller's ARN. The api package checks
// the task and execution roles (iam:PassRole, existence, trust) first.
func (s *Service) RegisterTaskDefinition(ctx context.Context, sc Scope, in *RegisterTaskDefinitionInput, registeredBy string) (*TaskDefinition, []Tag, error) {
	sc = s.scope(sc)
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	compat := []string{"EC2", "EXTERNAL"}
	if in.NetworkMode == "awsvpc" && in.CPU != "" && in.Memory != "" {
		compat = append(compat, "FARGATE")
	}
	containers := slices.Clone(in.ContainerDefinitions)
	for i := range containers {
		if containers[i].Essential == nil {
			t := true
			containers[i].Essential = &t
		}
		if containers[i].Environment == nil {
			containers[i].Environment = []KeyValuePair{}
		}
	}
	td := &storedTaskDef{TaskDefinition: TaskDefinition{
		ContainerDefinitions:    containers,
		Family:                  in.Family,
		TaskRoleArn:             in.TaskRoleArn,
		ExecutionRoleArn:        in.ExecutionRoleArn,
		NetworkMode:             in.NetworkMode,
		Volumes:                 in.Volumes,
		Status:                  StatusActive,
		PlacementConstraints:    in.PlacementConstraints,
		Compatibilities:         compat,
		RequiresCompatibilities: in.RequiresCompatibilities,
		CPU:                     in.CPU,
		Memory:                  in.Memory,
		PidMode:                 in.PidMode,
		IpcMode:                 in.IpcMode,
		ProxyConfiguration:      in.ProxyConfiguration,
		EphemeralStorage:        in.EphemeralStorage,
		RuntimePlatform:         in.RuntimePlatform,
		RegisteredAt:            Timestamp{s.now().UTC()},
		RegisteredBy:            registeredBy,
	}, Tags: slices.Clone(in.Tags)}
	if len(td.Volumes) == 0 {
		td.Volumes = json.RawMessage(`[]`)
	}
	if len(td.PlacementConstraints) == 0 {
		td.PlacementConstraints = json.RawMessage(`[]`)
	}
	err := s.update(ctx, func(tx store.Tx) error {
		f, err := get[familyRecord](tx, familyKey(sc, in.Family))
		if isNotFound(err) {
			f, err = &familyRecord{Family: in.Family}, nil
		}
		if err != nil {
			return err
		}
		if f.LastRevision >= 1_000_000 {
			return clientException("Too many revisions of task definition family %s.", in.Family)
		}
		f.LastRevision++
		td.Revision = f.LastRevision
		td.TaskDefinitionArn = s.TaskDefinitionARN(sc, in.Family, f.LastRevision)
		if err := put(tx, familyKey(sc, in.Family), f); err != nil {
			return err
		}
		return put(tx, taskDefKey(sc, in.Family, f.LastRevision), td)
	})
	if err != nil {
		return nil, nil, err
	}
	tags := td.Tags
	if tags == nil {
		tags = []Tag{}
	}
	return &td.TaskDefinition, tags, nil
}

// parseTaskDef reads a task definition identifier: "family",
// "family:revision" or a task definition ARN. rev is 0 for a bare family.
func (s *Service) parseTaskDef(sc Scope, ident string) (family string, rev int, err error) {
	bad := clientException("Unable to describe task definition.")
	if ident == "" {
		return "", 0, clientException("TaskDefinition cannot be null or empty.")
	}
	if strings.HasPrefix(ident, "arn:") {
		res, err := s.parseARN(sc, ident)
		if err == errForeign {
			return "", 0, bad
		}
		if err != nil {
			return "", 0, err
		}
		var ok bool
		if ident, ok = strings.CutPrefix(res, "task-definition/"); !ok {
			return "", 0, invalidParameter("Invalid identifier: %s is not a task definition ARN.", ident)
		}
	}
	family, r, hasRev := strings.Cut(ident, ":")
	if !familyRE.MatchString(family) {
		return "", 0, bad
	}
	if !hasRev {
		return family, 0, nil
	}
	rev, err = strconv.Atoi(r)
	if err != nil || rev < 1 {
		return "", 0, clientException("Invalid revision number. Number: %s", r)
	}
	return family, rev, nil
}

// readTaskDef finds a task definition: a given revision in any status, or
// a family's latest ACTIVE revision.
func readTaskDef(r store.Reader, sc Scope, family string, rev int) (*storedTaskDef, error) {
	if rev > 0 {
		td, err := get[storedTaskDef](r, taskDefKey(sc, family, rev))
		if isNotFound(err) {
			return nil, clientException("Unable to describe task definition.")
		}
		return td, err
	}
	all, err := list[storedTaskDef](r, taskDefPrefix(sc, family))
	if err != nil {
		return nil, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Status == StatusActive {
			return all[i], nil
		}
	}
	return nil, clientException("Unable to describe task definition.")
}

// hasActive reports whether family has an ACTIVE revision.
func hasActive(r store.Reader, sc Scope, family string) (bool, error) {
	all, err := list[TaskDefinition](r, taskDefPrefix(sc, family))
	if err != nil {
		return false, err
	}
	for _, td := range all {
		if td.Status == StatusActive {
			return true, nil
		}
	}
	return false, nil
}

// DescribeTaskDefinitionInput is DescribeTaskDefinition's request.
type DescribeTaskDefinitionInput struct {
	TaskDefinition string   `json:"taskDefinition"`
	Include        []string `json:"include"`
}

// DescribeTaskDefinitionOutput is DescribeTaskDefinition's answer.
type DescribeTaskDefinitionOutput struct {
	TaskDefinition *TaskDefinition `json:"taskDefinition"`
	// Tags are there only when asked for (include TAGS), then even when
	// empty.
	Tags *[]Tag `json:"tags,omitempty"`
}

// DescribeTaskDefinition describes "family" (its latest ACTIVE revision),
// "family:revision" or an ARN (that revision, ACTIVE or INACTIVE).
func (s *Service) DescribeTaskDefinition(ctx context.Context, sc Scope, in *DescribeTaskDefinitionInput) (*DescribeTaskDefinitionOutput, error) {
	sc = s.scope(sc)
	family, rev, err := s.parseTaskDef(sc, in.TaskDefinition)
	if err != nil {
		return nil, err
	}
	inc, err := includes(in.Include, "TAGS")
	if err != nil {
		return nil, err
	}
	var td *storedTaskDef
	if err := s.view(ctx, func(r store.Reader) error {
		td, err = readTaskDef(r, sc, family, rev)
		return err
	}); err != nil {
		return nil, err
	}
	out := &DescribeTaskDefinitionOutput{TaskDefinition: &td.TaskDefinition}
	if inc["TAGS"] {
		tags := td.Tags
		if tags == nil {
			tags = []Tag{}
		}
		out.Tags = &tags
	}
	return out, nil
}

// DeregisterTaskDefinition marks a revision INACTIVE. The identifier must
// name a revision ("family:revision" or an ARN). Deregistering an INACTIVE
// revision again returns it unchanged.
func (s *Service) DeregisterTaskDefinition(ctx context.Context, sc Scope, ident string) (*TaskDefinition, error) {
	sc = s.scope(sc)
	family, rev, err := s.parseTaskDef(sc, ident)
	if err != nil {
		return nil, err
	}
	if rev == 0 {
		return nil, clientException("Invalid revision number. Number: %s", ident)
	}
	var out *TaskDefinition
	err = s.update(ctx, func(tx store.Tx) error {
		td, err := get[storedTaskDef](tx, taskDefKey(sc, family, rev))
		if isNotFound(err) {
			return clientException("The specified task definition does not exist.")
		}
		if err != nil {
			return err
		}
		out = &td.TaskDefinition
		if td.Status == StatusInactive {
			return nil
		}
		td.Status = StatusInactive
		td.DeregisteredAt = &Timestamp{s.now().UTC()}
		return put(tx, taskDefKey(sc, family, rev), td)
	})
	return out, err
}

// ListTaskDefinitionsInput is ListTaskDefinitions' request.
type ListTaskDefinitionsInput struct {
	FamilyPrefix string `json:"familyPrefix"`
	Status       string `json:"status"`
	Sort         string `json:"sort"`
	NextToken    string `json:"nextToken"`
	MaxResults   *int   `json:"maxResults"`
}

// ListTaskDefinitionsOutput is ListTaskDefinitions' answer.
type ListTaskDefinitionsOutput struct {
	TaskDefinitionArns []string `json:"taskDefinitionArns"`
	NextToken          string   `json:"nextToken,omitempty"`
}

// ListTaskDefinitions lists task definition ARNs by family and revision
// (ASC, or DESC). Despite its name, familyPrefix is matched exactly, as in
// ECS; status defaults to ACTIVE.
func (s *Service) ListTaskDefinitions(ctx context.Context, sc Scope, in *ListTaskDefinitionsInput) (*ListTaskDefinitionsOutput, error) {
	sc = s.scope(sc)
	max, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	status := in.Status
	switch status {
	case "":
		status = StatusActive
	case StatusActive, StatusInactive, "DELETE_IN_PROGRESS":
	default:
		return nil, invalidParameter("Invalid status %s. Valid values: ACTIVE, INACTIVE, DELETE_IN_PROGRESS.", in.Status)
	}
	desc := false
	switch in.Sort {
	case "", "ASC":
	case "DESC":
		desc = true
	default:
		return nil, invalidParameter("Invalid sort %s. Valid values: ASC, DESC.", in.Sort)
	}
	pfx := prefix(sc) + "taskdef/"
	if in.FamilyPrefix != "" {
		pfx = taskDefPrefix(sc, in.FamilyPrefix)
	}
	var kvs []store.KV
	if err := s.view(ctx, func(r store.Reader) error {
		kvs, err = r.List(pfx, "", 0)
		return err
	}); err != nil {
		return nil, err
	}
	var items []item
	for _, kv := range kvs {
		var td TaskDefinition
		if err := json.Unmarshal(kv.Value, &td); err != nil {
			return nil, mapErr(err)
		}
		if td.Status == status {
			items = append(items, item{strings.TrimPrefix(kv.Key, pfx), td.TaskDefinitionArn})
		}
	}
	if desc {
		slices.Reverse(items)
	}
	page, next, err := paginateItems(items, in.NextToken, max, desc)
	if err != nil {
		return nil, err
	}
	return &ListTaskDefinitionsOutput{TaskDefinitionArns: page, NextToken: next}, nil
}

// ListTaskDefinitionFamiliesInput is ListTaskDefinitionFamilies' request.
type ListTaskDefinitionFamiliesInput struct {
	FamilyPrefix string `json:"familyPrefix"`
	Status       string `json:"status"`
	NextToken    string `json:"nextToken"`
	MaxResults   *int   `json:"maxResults"`
}

// ListTaskDefinitionFamiliesOutput is ListTaskDefinitionFamilies' answer.
type ListTaskDefinitionFamiliesOutput struct {
	Families  []string `json:"families"`
	NextToken string   `json:"nextToken,omitempty"`
}

// ListTaskDefinitionFamilies lists families whose names start with
// familyPrefix: with an ACTIVE revision (status ACTIVE, the default), with
// no ACTIVE revision (INACTIVE), or all (ALL).
func (s *Service) ListTaskDefinitionFamilies(ctx context.Context, sc Scope, in *ListTaskDefinitionFamiliesInput) (*ListTaskDefinitionFamiliesOutput, error) {
	sc = s.scope(sc)
	max, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	status := in.Status
	switch status {
	case "":
		status = StatusActive
	case StatusActive, StatusInactive, "ALL":
	default:
		return nil, invalidParameter("Invalid status %s. Valid values: ACTIVE, INACTIVE, ALL.", in.Status)
	}
	var fams []string
	err = s.view(ctx, func(r store.Reader) error {
		recs, err := list[familyRecord](r, familyPrefix(sc))
		if err != nil {
			return err
		}
		for _, f := range recs {
			if !strings.HasPrefix(f.Family, in.FamilyPrefix) {
				continue
			}
			if status != "ALL" {
				active, err := hasActive(r, sc, f.Family)
				if err != nil {
					return err
				}
				if active != (status == StatusActive) {
					continue
				}
			}
			fams = append(fams, f.Family)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(fams, in.NextToken, max)
	if err != nil {
		return nil, err
	}
	return &ListTaskDefinitionFamiliesOutput{Families: page, NextToken: next}, nil
}
