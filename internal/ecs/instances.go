package ecs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// Container instance IDs: 32 hex digits (ECS's current format), or a UUID
// (older instances).
var instanceIDRE = regexp.MustCompile(`^([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

// NewContainerInstanceID returns a new container instance ID: 32 random
// hex digits.
func NewContainerInstanceID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// InstanceARN resolves a container instance identifier (its ID, or its
// ARN, arn:...:container-instance/CLUSTER/ID) within the cluster called
// cluster, returning the ID and the ARN. An ARN naming another cluster,
// account or region names an instance that is not in this cluster: found
// is false then.
func (s *Service) InstanceARN(sc Scope, cluster, ident string) (id, arn string, found bool, err error) {
	sc = s.scope(sc)
	id = ident
	if strings.HasPrefix(ident, "arn:") {
		res, err := s.parseARN(sc, ident)
		if err == errForeign {
			return "", ident, false, nil
		}
		if err != nil {
			return "", "", false, err
		}
		rest, ok := strings.CutPrefix(res, "container-instance/")
		if !ok {
			return "", "", false, invalidParameter("Invalid identifier: %s is not a container instance ARN.", ident)
		}
		if c, i, ok := strings.Cut(rest, "/"); ok {
			if c != cluster {
				return "", ident, false, nil
			}
			rest = i
		}
		id = rest
	}
	if !instanceIDRE.MatchString(id) {
		return "", "", false, invalidParameter("Invalid identifier: %s is not a container instance ID or ARN.", ident)
	}
	return id, s.ARN(sc, "container-instance/"+cluster+"/"+id), true, nil
}

// RegisterContainerInstanceInput is RegisterContainerInstance's request.
type RegisterContainerInstanceInput struct {
	Cluster                           string          `json:"cluster"`
	InstanceIdentityDocument          string          `json:"instanceIdentityDocument"`
	InstanceIdentityDocumentSignature string          `json:"instanceIdentityDocumentSignature"`
	TotalResources                    []Resource      `json:"totalResources"`
	VersionInfo                       *VersionInfo    `json:"versionInfo"`
	ContainerInstanceArn              string          `json:"containerInstanceArn"`
	Attributes                        []Attribute     `json:"attributes"`
	PlatformDevices                   json.RawMessage `json:"platformDevices"`
	Tags                              []Tag           `json:"tags"`
	// NewID is the ID a new registration gets (NewContainerInstanceID);
	// empty: one is made up. It lets the caller authorize tagging the
	// instance, whose ARN it must know, before registering it.
	NewID string `json:"-"`
	// Agent is the calling principal's ARN (set by the API layer; empty for
	// in-process callers, who are not checked). A new instance is bound to
	// it; re-registering needs the same principal.
	Agent string `json:"-"`
}

// RegisterContainerInstance registers an instance into a cluster that must
// exist (ClusterNotFoundException otherwise: the agent creates the default
// cluster first, with CreateCluster). The EC2 instance identity document is
// optional: external (ECS Anywhere style) and rolecall instances have none.
// With containerInstanceArn, an instance registered before registers again
// (as the agent does when it restarts) and keeps its ARN.
func (s *Service) RegisterContainerInstance(ctx context.Context, sc Scope, in *RegisterContainerInstanceInput) (*ContainerInstance, error) {
	sc = s.scope(sc)
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	ec2ID := ""
	if doc := strings.TrimSpace(in.InstanceIdentityDocument); doc != "" {
		var d struct {
			InstanceID string `json:"instanceId"`
		}
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			return nil, invalidParameter("The instance identity document is not valid JSON.")
		}
		ec2ID = d.InstanceID
	}
	for _, a := range in.Attributes {
		if a.Name == "" {
			return nil, invalidParameter("Attribute name cannot be null or empty.")
		}
	}
	for _, r := range in.TotalResources {
		if r.Name == "" {
			return nil, invalidParameter("Resource name cannot be null or empty.")
		}
	}
	var out *ContainerInstance
	err = s.update(ctx, func(tx store.Tx) error {
		c, err := activeCluster(tx, sc, cluster)
		if err != nil {
			return err
		}
		var ci *ContainerInstance
		if in.ContainerInstanceArn != "" {
			var id string
			ci, id, _, err = lookup[ContainerInstance](tx, sc, cluster, in.ContainerInstanceArn, s.InstanceARN, instanceKey)
			if err != nil {
				return err
			}
			if ci == nil {
				return clientException("Container instance %s not found.", in.ContainerInstanceArn)
			}
			if ci.Status == StatusInactive {
				return clientException("Container instance %s is inactive.", id)
			}
			if err := checkReregister(tx, sc, cluster, id, in.Agent); err != nil {
				return err
			}
		}
		now := Timestamp{s.now().UTC()}
		resources := slices.Clone(in.TotalResources)
		if resources == nil {
			resources = []Resource{}
		}
		reregistered := ci != nil
		if !reregistered {
			id := in.NewID
			if id == "" {
				id = NewContainerInstanceID()
			} else if !instanceIDRE.MatchString(id) {
				return invalidParameter("Invalid container instance ID %s.", id)
			}
			ci = &ContainerInstance{
				ContainerInstanceArn: s.ARN(sc, "container-instance/"+cluster+"/"+id),
				Status:               StatusActive,
				RegisteredAt:         now,
				Tags:                 slices.Clone(in.Tags),
			}
			c.RegisteredContainerInstancesCount++
			if err := put(tx, clusterKey(sc, cluster), c); err != nil {
				return err
			}
		} else {
			ci.Tags = mergeTags(ci.Tags, in.Tags)
		}
		ci.Version++
		ci.Ec2InstanceID = ec2ID
		if in.VersionInfo != nil {
			ci.VersionInfo = *in.VersionInfo
		}
		ci.RegisteredResources = resources
		ci.RemainingResources = slices.Clone(resources)
		if reregistered {
			// The agent restarted: its tasks hold their resources, and
			// Poll hands it its tasks again.
			if err := s.requeueInstance(tx, sc, cluster, ci); err != nil {
				return err
			}
		}
		ci.AgentConnected = true
		ci.Attributes = slices.Clone(in.Attributes)
		if ci.Attributes == nil {
			ci.Attributes = []Attribute{}
		}
		out = ci
		if in.Agent != "" {
			if err := put(tx, agentKey(sc, cluster, instanceIDOf(ci.ContainerInstanceArn)), &agentBinding{Principal: in.Agent}); err != nil {
				return err
			}
		}
		return put(tx, instanceKey(sc, cluster, instanceIDOf(ci.ContainerInstanceArn)), ci)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func instanceIDOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// DeregisterContainerInstanceInput is DeregisterContainerInstance's request.
type DeregisterContainerInstanceInput struct {
	Cluster           string `json:"cluster"`
	ContainerInstance string `json:"containerInstance"`
	Force             *bool  `json:"force"`
}

// DeregisterContainerInstance takes an instance out of its cluster: it
// becomes INACTIVE, can still be described, and no longer counts toward the
// cluster's instances. An instance with PENDING or RUNNING tasks is
// deregistered only with force: its tasks are then stopped (their
// credentials revoked) and its agent queue dropped.
func (s *Service) DeregisterContainerInstance(ctx context.Context, sc Scope, in *DeregisterContainerInstanceInput) (*ContainerInstance, error) {
	sc = s.scope(sc)
	if in.ContainerInstance == "" {
		return nil, invalidParameter("Container instance cannot be null or empty.")
	}
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	var out *ContainerInstance
	err = s.update(ctx, func(tx store.Tx) error {
		c, err := activeCluster(tx, sc, cluster)
		if err != nil {
			return err
		}
		ci, id, _, err := lookup[ContainerInstance](tx, sc, cluster, in.ContainerInstance, s.InstanceARN, instanceKey)
		if err != nil {
			return err
		}
		if ci == nil || ci.Status == StatusInactive {
			return invalidParameter("The referenced container instance %s was not found in cluster %s.", in.ContainerInstance, cluster)
		}
		if instanceHasTasks(ci) {
			if in.Force == nil || !*in.Force {
				return invalidParameter("The container instance has tasks that are pending or running; deregister it with force to stop them.")
			}
			if err := s.stopInstanceTasks(tx, sc, cluster, ci.ContainerInstanceArn); err != nil {
				return err
			}
			// stopInstanceTasks updated the counts: read them again.
			if c, err = activeCluster(tx, sc, cluster); err != nil {
				return err
			}
			if ci, err = get[ContainerInstance](tx, instanceKey(sc, cluster, id)); err != nil {
				return err
			}
		}
		if err := dropQueue(tx, sc, cluster, id); err != nil {
			return err
		}
		ci.Status = StatusInactive
		ci.AgentConnected = false
		ci.Version++
		if c.RegisteredContainerInstancesCount > 0 {
			c.RegisteredContainerInstancesCount--
		}
		if err := put(tx, clusterKey(sc, cluster), c); err != nil {
			return err
		}
		out = ci
		return put(tx, instanceKey(sc, cluster, id), ci)
	})
	return out, err
}

// ListContainerInstancesInput is ListContainerInstances' request.
type ListContainerInstancesInput struct {
	Cluster    string `json:"cluster"`
	Filter     string `json:"filter"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
	Status     string `json:"status"`
}

// ListContainerInstancesOutput is ListContainerInstances' answer.
type ListContainerInstancesOutput struct {
	ContainerInstanceArns []string `json:"containerInstanceArns"`
	NextToken             string   `json:"nextToken,omitempty"`
}

var instanceStatuses = []string{"ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED"}

// ListContainerInstances lists a cluster's instances: those with the given
// status, or all but the INACTIVE (deregistered) ones.
func (s *Service) ListContainerInstances(ctx context.Context, sc Scope, in *ListContainerInstancesInput) (*ListContainerInstancesOutput, error) {
	sc = s.scope(sc)
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	max, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	if in.Status != "" && !slices.Contains(instanceStatuses, in.Status) {
		return nil, invalidParameter("Invalid status %s. Valid values: %s.", in.Status, strings.Join(instanceStatuses, ", "))
	}
	if in.Filter != "" {
		return nil, invalidParameter("Cluster query language filters are not supported by rolecall yet.")
	}
	var all []*ContainerInstance
	err = s.view(ctx, func(r store.Reader) error {
		if _, err := activeCluster(r, sc, cluster); err != nil {
			return err
		}
		all, err = list[ContainerInstance](r, instancePrefix(sc, cluster))
		return err
	})
	if err != nil {
		return nil, err
	}
	var items []item
	for _, ci := range all {
		if (in.Status == "" && ci.Status != StatusInactive) || ci.Status == in.Status {
			items = append(items, item{instanceIDOf(ci.ContainerInstanceArn), ci.ContainerInstanceArn})
		}
	}
	page, next, err := paginateItems(items, in.NextToken, max, false)
	if err != nil {
		return nil, err
	}
	return &ListContainerInstancesOutput{ContainerInstanceArns: page, NextToken: next}, nil
}

// DescribeContainerInstancesInput is DescribeContainerInstances' request.
type DescribeContainerInstancesInput struct {
	Cluster            string   `json:"cluster"`
	ContainerInstances []string `json:"containerInstances"`
	Include            []string `json:"include"`
}

// DescribeContainerInstancesOutput is DescribeContainerInstances' answer.
type DescribeContainerInstancesOutput struct {
	ContainerInstances []*ContainerInstance `json:"containerInstances"`
	Failures           []Failure            `json:"failures"`
}

// DescribeContainerInstances describes instances of a cluster; ones that
// are not there are failures with reason MISSING. Tags are included only
// when include has TAGS.
func (s *Service) DescribeContainerInstances(ctx context.Context, sc Scope, in *DescribeContainerInstancesInput) (*DescribeContainerInstancesOutput, error) {
	sc = s.scope(sc)
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	if len(in.ContainerInstances) == 0 {
		return nil, invalidParameter("Container instances cannot be empty.")
	}
	if len(in.ContainerInstances) > 100 {
		return nil, invalidParameter("containerInstances can have at most 100 items.")
	}
	inc, err := includes(in.Include, "TAGS", "CONTAINER_INSTANCE_HEALTH")
	if err != nil {
		return nil, err
	}
	out := &DescribeContainerInstancesOutput{ContainerInstances: []*ContainerInstance{}, Failures: []Failure{}}
	err = s.view(ctx, func(r store.Reader) error {
		if _, err := activeCluster(r, sc, cluster); err != nil {
			return err
		}
		for _, ident := range in.ContainerInstances {
			ci, _, arn, err := lookup[ContainerInstance](r, sc, cluster, ident, s.InstanceARN, instanceKey)
			if err != nil {
				return err
			}
			if ci == nil {
				out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			if !inc["TAGS"] {
				ci.Tags = nil
			}
			out.ContainerInstances = append(out.ContainerInstances, ci)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateContainerInstancesStateInput is UpdateContainerInstancesState's
// request.
type UpdateContainerInstancesStateInput struct {
	Cluster            string   `json:"cluster"`
	ContainerInstances []string `json:"containerInstances"`
	Status             string   `json:"status"`
}

// UpdateContainerInstancesState sets instances ACTIVE or DRAINING.
func (s *Service) UpdateContainerInstancesState(ctx context.Context, sc Scope, in *UpdateContainerInstancesStateInput) (*DescribeContainerInstancesOutput, error) {
	sc = s.scope(sc)
	cluster, err := s.ClusterName(sc, in.Cluster)
	if err != nil {
		return nil, err
	}
	if in.Status != StatusActive && in.Status != StatusDraining {
		return nil, invalidParameter("Container instance status must be ACTIVE or DRAINING.")
	}
	if len(in.ContainerInstances) == 0 {
		return nil, invalidParameter("Container instances cannot be empty.")
	}
	if len(in.ContainerInstances) > 10 {
		return nil, invalidParameter("containerInstances can have at most 10 items.")
	}
	out := &DescribeContainerInstancesOutput{ContainerInstances: []*ContainerInstance{}, Failures: []Failure{}}
	err = s.update(ctx, func(tx store.Tx) error {
		if _, err := activeCluster(tx, sc, cluster); err != nil {
			return err
		}
		for _, ident := range in.ContainerInstances {
			ci, id, arn, err := lookup[ContainerInstance](tx, sc, cluster, ident, s.InstanceARN, instanceKey)
			if err != nil {
				return err
			}
			if ci == nil || ci.Status == StatusInactive {
				out.Failures = append(out.Failures, Failure{Arn: arn, Reason: "MISSING"})
				continue
			}
			if ci.Status != in.Status {
				ci.Status = in.Status
				ci.Version++
				if err := put(tx, instanceKey(sc, cluster, id), ci); err != nil {
					return err
				}
			}
			ci.Tags = nil
			out.ContainerInstances = append(out.ContainerInstances, ci)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
