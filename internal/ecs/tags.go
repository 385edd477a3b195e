package ecs

import (
	"context"
	"strconv"
	"strings"

	"github.com/rolecall/rolecall/internal/store"
)

// taggable is a resource TagResource, UntagResource and ListTagsForResource
// act on: how to read its tags, and to replace them with what edit makes
// of them.
type taggable struct {
	get  func(r store.Reader) ([]Tag, error)
	edit func(tx store.Tx, edit func(have []Tag) ([]Tag, error)) error
}

// taggableRecord is the taggable of a record of type T stored under key:
// read finds it (answering the resource's own not-found errors) and tags
// points at its tags.
func taggableRecord[T any](key string, read func(store.Reader) (*T, error), tags func(*T) *[]Tag) *taggable {
	return &taggable{
		get: func(r store.Reader) ([]Tag, error) {
			v, err := read(r)
			if err != nil {
				return nil, err
			}
			return *tags(v), nil
		},
		edit: func(tx store.Tx, edit func([]Tag) ([]Tag, error)) error {
			v, err := read(tx)
			if err != nil {
				return err
			}
			t, err := edit(*tags(v))
			if err != nil {
				return err
			}
			*tags(v) = t
			return put(tx, key, v)
		},
	}
}

// resolveTaggable reads a resource ARN: a cluster, container instance, task
// definition or task (long ARN format, task/CLUSTER/ID) of sc.
func (s *Service) resolveTaggable(sc Scope, resourceARN string) (*taggable, error) {
	if resourceARN == "" {
		return nil, invalidParameter("resourceArn cannot be null or empty.")
	}
	res, err := s.parseARN(sc, resourceARN)
	if err == errForeign {
		return nil, resourceNotFound()
	}
	if err != nil {
		return nil, invalidParameter("Invalid resource arn %s.", resourceARN)
	}
	typ, rest, _ := strings.Cut(res, "/")
	switch typ {
	case "cluster":
		if !clusterNameRE.MatchString(rest) {
			return nil, invalidParameter("Invalid resource arn %s.", resourceARN)
		}
		read := func(r store.Reader) (*Cluster, error) { return activeCluster(r, sc, rest) }
		return taggableRecord(clusterKey(sc, rest), read, func(c *Cluster) *[]Tag { return &c.Tags }), nil
	case "container-instance":
		cluster, id, ok := strings.Cut(rest, "/")
		if !ok || !clusterNameRE.MatchString(cluster) || !instanceIDRE.MatchString(id) {
			return nil, invalidParameter("Invalid resource arn %s.", resourceARN)
		}
		key := instanceKey(sc, cluster, id)
		read := func(r store.Reader) (*ContainerInstance, error) {
			if _, err := activeCluster(r, sc, cluster); err != nil {
				return nil, err
			}
			ci, err := get[ContainerInstance](r, key)
			if isNotFound(err) || (err == nil && ci.Status == StatusInactive) {
				return nil, resourceNotFound()
			}
			return ci, err
		}
		return taggableRecord(key, read, func(v *ContainerInstance) *[]Tag { return &v.Tags }), nil
	case "task-definition":
		family, r, ok := strings.Cut(rest, ":")
		rev, err := strconv.Atoi(r)
		if !ok || err != nil || rev < 1 || !familyRE.MatchString(family) {
			return nil, invalidParameter("Invalid resource arn %s.", resourceARN)
		}
		key := taskDefKey(sc, family, rev)
		read := func(r store.Reader) (*storedTaskDef, error) {
			td, err := get[storedTaskDef](r, key)
			if isNotFound(err) {
				return nil, resourceNotFound()
			}
			return td, err
		}
		return taggableRecord(key, read, func(v *storedTaskDef) *[]Tag { return &v.Tags }), nil
	case "task":
		// Only the long format (task/CLUSTER/ID) names a cluster; ECS tags
		// tasks by it.
		cluster, id, ok := strings.Cut(rest, "/")
		if !ok || !clusterNameRE.MatchString(cluster) || !taskIDRE.MatchString(id) {
			return nil, invalidParameter("Invalid resource arn %s.", resourceARN)
		}
		key := taskKey(sc, cluster, id)
		read := func(r store.Reader) (*Task, error) {
			// Tasks of a deleted cluster stay describable (DescribeTasks),
			// so their tags stay readable too; a cluster that never
			// existed is not found, as for container instances.
			if _, err := get[Cluster](r, clusterKey(sc, cluster)); err != nil {
				if isNotFound(err) {
					return nil, clusterNotFound()
				}
				return nil, err
			}
			t, err := get[Task](r, key)
			if isNotFound(err) {
				return nil, resourceNotFound()
			}
			return t, err
		}
		return taggableRecord(key, read, func(v *Task) *[]Tag { return &v.Tags }), nil
	}
	return nil, invalidParameter("Invalid resource arn %s: rolecall tags clusters, container instances, task definitions and tasks.", resourceARN)
}

// ResourceTags returns the tags of a cluster, container instance, task
// definition or task by ARN (for aws:ResourceTag/* when authorizing).
func (s *Service) ResourceTags(ctx context.Context, sc Scope, resourceARN string) ([]Tag, error) {
	sc = s.scope(sc)
	t, err := s.resolveTaggable(sc, resourceARN)
	if err != nil {
		return nil, err
	}
	var tags []Tag
	err = s.view(ctx, func(r store.Reader) error {
		tags, err = t.get(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []Tag{}
	}
	return tags, nil
}

// ListTagsForResource is ResourceTags.
func (s *Service) ListTagsForResource(ctx context.Context, sc Scope, resourceARN string) ([]Tag, error) {
	return s.ResourceTags(ctx, sc, resourceARN)
}

// TagResource adds tags to a resource, replacing the values of keys it
// already has. A resource can have at most 50 tags.
func (s *Service) TagResource(ctx context.Context, sc Scope, resourceARN string, tags []Tag) error {
	sc = s.scope(sc)
	if len(tags) == 0 {
		return invalidParameter("Tags cannot be null or empty.")
	}
	if err := validateTags(tags); err != nil {
		return err
	}
	t, err := s.resolveTaggable(sc, resourceARN)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		return t.edit(tx, func(have []Tag) ([]Tag, error) {
			merged := mergeTags(have, tags)
			if len(merged) > 50 {
				return nil, invalidParameter("A resource can have at most 50 tags.")
			}
			return merged, nil
		})
	})
}

// UntagResource removes tags by key; keys the resource lacks are ignored.
func (s *Service) UntagResource(ctx context.Context, sc Scope, resourceARN string, keys []string) error {
	sc = s.scope(sc)
	if len(keys) == 0 {
		return invalidParameter("TagKeys cannot be null or empty.")
	}
	t, err := s.resolveTaggable(sc, resourceARN)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		return t.edit(tx, func(have []Tag) ([]Tag, error) { return removeTags(have, keys), nil })
	})
}
