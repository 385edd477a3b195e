package ecs

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// DefaultCluster is the cluster calls use when they name none.
const DefaultCluster = "default"

var clusterNameRE = regexp.MustCompile(`^[a-zA-Z0-9\-_]{1,255}$`)

// ClusterName resolves a cluster identifier (a name or a cluster ARN; empty
// means "default") to a name. An ARN of another account or region names a
// cluster that cannot be found here.
func (s *Service) ClusterName(sc Scope, ident string) (string, error) {
	sc = s.scope(sc)
	if ident == "" {
		return DefaultCluster, nil
	}
	if strings.HasPrefix(ident, "arn:") {
		res, err := s.parseARN(sc, ident)
		if err != nil {
			return "", err
		}
		name, ok := strings.CutPrefix(res, "cluster/")
		if !ok || !clusterNameRE.MatchString(name) {
			return "", invalidParameter("Invalid identifier: Unexpected format for cluster ARN %s.", ident)
		}
		return name, nil
	}
	if !clusterNameRE.MatchString(ident) {
		return "", invalidParameter("Cluster must match ^[a-zA-Z0-9\\-_]{1,255}$, but was %s", ident)
	}
	return ident, nil
}

// parseARN checks that an ECS ARN belongs to sc and returns its resource
// part ("cluster/NAME", ...). ARNs of other accounts or regions name
// nothing rolecall holds here: ClusterNotFoundException-like callers map
// that themselves, so this reports it as errForeign.
func (s *Service) parseARN(sc Scope, a string) (string, error) {
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecs" {
		return "", invalidParameter("Invalid identifier: %s is not an ECS ARN.", a)
	}
	if parts[1] != s.Partition || parts[3] != sc.Region || parts[4] != sc.Account {
		return "", errForeign
	}
	return parts[5], nil
}

// errForeign marks an ARN of another partition, region or account.
var errForeign = clusterNotFound()

// ClusterARN is the ARN of the cluster called name.
func (s *Service) ClusterARN(sc Scope, name string) string {
	return s.ARN(sc, "cluster/"+name)
}

// CreateClusterInput is CreateCluster's request.
type CreateClusterInput struct {
	ClusterName                     string          `json:"clusterName"`
	Tags                            []Tag           `json:"tags"`
	Settings                        json.RawMessage `json:"settings"`
	Configuration                   json.RawMessage `json:"configuration"`
	CapacityProviders               []string        `json:"capacityProviders"`
	DefaultCapacityProviderStrategy json.RawMessage `json:"defaultCapacityProviderStrategy"`
}

// CreateCluster creates a cluster (named "default" when no name is given).
// As in ECS, creating a cluster that exists and is ACTIVE returns it
// unchanged; an INACTIVE (deleted) cluster of that name is created anew.
func (s *Service) CreateCluster(ctx context.Context, sc Scope, in *CreateClusterInput) (*Cluster, error) {
	sc = s.scope(sc)
	name := in.ClusterName
	if name == "" {
		name = DefaultCluster
	}
	if !clusterNameRE.MatchString(name) {
		return nil, invalidParameter("Cluster name must match ^[a-zA-Z0-9\\-_]{1,255}$, but was %s", name)
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	if len(in.CapacityProviders) > 0 {
		return nil, invalidParameter("The specified capacity provider %s is not supported by rolecall.", in.CapacityProviders[0])
	}
	var out *Cluster
	err := s.update(ctx, func(tx store.Tx) error {
		key := clusterKey(sc, name)
		c, err := get[Cluster](tx, key)
		switch {
		case err == nil && c.Status == StatusActive:
			out = c
			return nil
		case err != nil && !isNotFound(err):
			return err
		}
		c = &Cluster{
			ClusterArn:                      s.ClusterARN(sc, name),
			ClusterName:                     name,
			Status:                          StatusActive,
			Statistics:                      []KeyValuePair{},
			Tags:                            slices.Clone(in.Tags),
			Settings:                        in.Settings,
			Configuration:                   in.Configuration,
			CapacityProviders:               []string{},
			DefaultCapacityProviderStrategy: in.DefaultCapacityProviderStrategy,
		}
		if len(c.Settings) == 0 {
			c.Settings = json.RawMessage(`[{"name":"containerInsights","value":"disabled"}]`)
		}
		out = c
		return put(tx, key, c)
	})
	if err != nil {
		return nil, err
	}
	if out.DefaultCapacityProviderStrategy == nil {
		out.DefaultCapacityProviderStrategy = json.RawMessage(`[]`)
	}
	return out, nil
}

// activeCluster reads an ACTIVE cluster; missing or INACTIVE clusters are
// ClusterNotFoundException.
func activeCluster(r store.Reader, sc Scope, name string) (*Cluster, error) {
	c, err := get[Cluster](r, clusterKey(sc, name))
	if isNotFound(err) {
		return nil, clusterNotFound()
	}
	if err != nil {
		return nil, err
	}
	if c.Status != StatusActive {
		return nil, clusterNotFound()
	}
	return c, nil
}

// GetCluster returns an ACTIVE cluster by name or ARN (for authorization:
// its tags are aws:ResourceTag/*).
func (s *Service) GetCluster(ctx context.Context, sc Scope, ident string) (*Cluster, error) {
	sc = s.scope(sc)
	name, err := s.ClusterName(sc, ident)
	if err != nil {
		return nil, err
	}
	var c *Cluster
	err = s.view(ctx, func(r store.Reader) error {
		c, err = activeCluster(r, sc, name)
		return err
	})
	return c, err
}

// DeleteCluster marks a cluster INACTIVE. Clusters that still hold active
// or draining container instances cannot be deleted.
func (s *Service) DeleteCluster(ctx context.Context, sc Scope, ident string) (*Cluster, error) {
	sc = s.scope(sc)
	if ident == "" {
		return nil, invalidParameter("Cluster cannot be null or empty.")
	}
	name, err := s.ClusterName(sc, ident)
	if err != nil {
		return nil, err
	}
	var out *Cluster
	err = s.update(ctx, func(tx store.Tx) error {
		c, err := activeCluster(tx, sc, name)
		if err != nil {
			return err
		}
		if clusterHasTasks(c) {
			return awsErr("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
		}
		if c.RegisteredContainerInstancesCount > 0 {
			return awsErr("ClusterContainsContainerInstancesException", "The Cluster cannot be deleted while Container Instances are active or draining.")
		}
		c.Status = StatusInactive
		out = c
		return put(tx, clusterKey(sc, name), c)
	})
	return out, err
}

// ListClustersInput is ListClusters' request.
type ListClustersInput struct {
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

// ListClustersOutput is ListClusters' answer.
type ListClustersOutput struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

// ListClusters lists the ACTIVE clusters, by name.
func (s *Service) ListClusters(ctx context.Context, sc Scope, in *ListClustersInput) (*ListClustersOutput, error) {
	sc = s.scope(sc)
	max, err := maxResults(in.MaxResults)
	if err != nil {
		return nil, err
	}
	var all []*Cluster
	if err := s.view(ctx, func(r store.Reader) error {
		all, err = list[Cluster](r, clusterPrefix(sc))
		return err
	}); err != nil {
		return nil, err
	}
	var arns []string
	for _, c := range all {
		if c.Status == StatusActive {
			arns = append(arns, c.ClusterArn)
		}
	}
	page, next, err := paginate(arns, in.NextToken, max)
	if err != nil {
		return nil, err
	}
	return &ListClustersOutput{ClusterArns: page, NextToken: next}, nil
}

// DescribeClustersInput is DescribeClusters' request.
type DescribeClustersInput struct {
	Clusters []string `json:"clusters"`
	Include  []string `json:"include"`
}

// DescribeClustersOutput is DescribeClusters' answer.
type DescribeClustersOutput struct {
	Clusters []*Cluster `json:"clusters"`
	Failures []Failure  `json:"failures"`
}

// DescribeClusters describes clusters by name or ARN ("default" when none
// is named). Clusters that do not exist are failures with reason MISSING;
// deleted clusters are described with status INACTIVE, as ECS does for a
// while after deletion. Tags are included only when include has TAGS.
func (s *Service) DescribeClusters(ctx context.Context, sc Scope, in *DescribeClustersInput) (*DescribeClustersOutput, error) {
	sc = s.scope(sc)
	idents := in.Clusters
	if len(idents) == 0 {
		idents = []string{DefaultCluster}
	}
	if len(idents) > 100 {
		return nil, invalidParameter("clusters can have at most 100 items.")
	}
	tags, err := includes(in.Include, "TAGS", "ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS")
	if err != nil {
		return nil, err
	}
	out := &DescribeClustersOutput{Clusters: []*Cluster{}, Failures: []Failure{}}
	err = s.view(ctx, func(r store.Reader) error {
		for _, id := range idents {
			name, err := s.ClusterName(sc, id)
			if err != nil {
				if err == errForeign {
					out.Failures = append(out.Failures, Failure{Arn: id, Reason: "MISSING"})
					continue
				}
				return err
			}
			c, err := get[Cluster](r, clusterKey(sc, name))
			if isNotFound(err) {
				out.Failures = append(out.Failures, Failure{Arn: s.ClusterARN(sc, name), Reason: "MISSING"})
				continue
			}
			if err != nil {
				return err
			}
			if !tags["TAGS"] {
				c.Tags = nil
			}
			if c.DefaultCapacityProviderStrategy == nil {
				c.DefaultCapacityProviderStrategy = json.RawMessage(`[]`)
			}
			out.Clusters = append(out.Clusters, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// includes checks an include list against the values an operation accepts.
func includes(in []string, allowed ...string) (map[string]bool, error) {
	m := map[string]bool{}
	for _, v := range in {
		if !slices.Contains(allowed, v) {
			return nil, invalidParameter("Invalid include value %s. Valid values: %s.", v, strings.Join(allowed, ", "))
		}
		m[v] = true
	}
	return m, nil
}
