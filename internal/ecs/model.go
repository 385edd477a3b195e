package ecs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The records below are stored as JSON and are also the shapes of ECS's
// JSON 1.1 API (field names as ECS spells them), so the protocol layer can
// return them as they are.

// Timestamp is a point in time that encodes as ECS's JSON timestamps do:
// seconds since the Unix epoch, with a fraction.
type Timestamp struct{ time.Time }

func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := t.UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	// Years 1 to 9999: beyond, the conversion below would overflow.
	if math.IsNaN(f) || f < -62135596800 || f > 253402300799 {
		return fmt.Errorf("timestamp %v is out of range", f)
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC()
	return nil
}

// Tag is an ECS resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// KeyValuePair is a name and a value (a container's environment variable).
type KeyValuePair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cluster statuses.
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
	StatusDraining = "DRAINING"
)

// Cluster is an ECS cluster.
type Cluster struct {
	ClusterArn                        string          `json:"clusterArn"`
	ClusterName                       string          `json:"clusterName"`
	Status                            string          `json:"status"`
	RegisteredContainerInstancesCount int             `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int             `json:"runningTasksCount"`
	PendingTasksCount                 int             `json:"pendingTasksCount"`
	ActiveServicesCount               int             `json:"activeServicesCount"`
	Statistics                        []KeyValuePair  `json:"statistics"`
	Tags                              []Tag           `json:"tags,omitempty"`
	Settings                          json.RawMessage `json:"settings,omitempty"`
	Configuration                     json.RawMessage `json:"configuration,omitempty"`
	CapacityProviders                 []string        `json:"capacityProviders"`
	DefaultCapacityProviderStrategy   json.RawMessage `json:"defaultCapacityProviderStrategy,omitempty"`
}

// Resource is a container instance resource (CPU, MEMORY, PORTS, ...).
type Resource struct {
	Name           string   `json:"name"`
	Type           string   `json:"type,omitempty"`
	DoubleValue    float64  `json:"doubleValue"`
	LongValue      int64    `json:"longValue"`
	IntegerValue   int64    `json:"integerValue"`
	StringSetValue []string `json:"stringSetValue,omitempty"`
}

// VersionInfo is the agent's and Docker's versions.
type VersionInfo struct {
	AgentVersion  string `json:"agentVersion,omitempty"`
	AgentHash     string `json:"agentHash,omitempty"`
	DockerVersion string `json:"dockerVersion,omitempty"`
}

// Attribute is a container instance attribute.
type Attribute struct {
	Name       string `json:"name"`
	Value      string `json:"value,omitempty"`
	TargetType string `json:"targetType,omitempty"`
	TargetID   string `json:"targetId,omitempty"`
}

// ContainerInstance is an instance registered into a cluster.
type ContainerInstance struct {
	ContainerInstanceArn string      `json:"containerInstanceArn"`
	Ec2InstanceID        string      `json:"ec2InstanceId,omitempty"`
	Version              int64       `json:"version"`
	VersionInfo          VersionInfo `json:"versionInfo"`
	RemainingResources   []Resource  `json:"remainingResources"`
	RegisteredResources  []Resource  `json:"registeredResources"`
	Status               string      `json:"status"`
	AgentConnected       bool        `json:"agentConnected"`
	RunningTasksCount    int         `json:"runningTasksCount"`
	PendingTasksCount    int         `json:"pendingTasksCount"`
	Attributes           []Attribute `json:"attributes"`
	RegisteredAt         Timestamp   `json:"registeredAt"`
	Tags                 []Tag       `json:"tags,omitempty"`
}

// TaskDefinition is one revision of a task definition family.
type TaskDefinition struct {
	TaskDefinitionArn       string                `json:"taskDefinitionArn"`
	ContainerDefinitions    []ContainerDefinition `json:"containerDefinitions"`
	Family                  string                `json:"family"`
	TaskRoleArn             string                `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn        string                `json:"executionRoleArn,omitempty"`
	NetworkMode             string                `json:"networkMode,omitempty"`
	Revision                int                   `json:"revision"`
	Volumes                 json.RawMessage       `json:"volumes,omitempty"`
	Status                  string                `json:"status"`
	RequiresAttributes      []Attribute           `json:"requiresAttributes,omitempty"`
	PlacementConstraints    json.RawMessage       `json:"placementConstraints,omitempty"`
	Compatibilities         []string              `json:"compatibilities"`
	RequiresCompatibilities []string              `json:"requiresCompatibilities,omitempty"`
	CPU                     string                `json:"cpu,omitempty"`
	Memory                  string                `json:"memory,omitempty"`
	PidMode                 string                `json:"pidMode,omitempty"`
	IpcMode                 string                `json:"ipcMode,omitempty"`
	ProxyConfiguration      json.RawMessage       `json:"proxyConfiguration,omitempty"`
	EphemeralStorage        json.RawMessage       `json:"ephemeralStorage,omitempty"`
	RuntimePlatform         json.RawMessage       `json:"runtimePlatform,omitempty"`
	RegisteredAt            Timestamp             `json:"registeredAt"`
	DeregisteredAt          *Timestamp            `json:"deregisteredAt,omitempty"`
	RegisteredBy            string                `json:"registeredBy,omitempty"`
}

// storedTaskDef keeps a task definition's tags beside it (ECS returns them
// apart from the definition).
type storedTaskDef struct {
	TaskDefinition
	Tags []Tag `json:"tags,omitempty"`
}

// familyRecord numbers a family's revisions.
type familyRecord struct {
	Family       string `json:"family"`
	LastRevision int    `json:"lastRevision"`
}

// ContainerDefinition is one container of a task definition. The fields
// rolecall uses are typed; every other field the client sent is kept in
// Extra and given back as it came.
type ContainerDefinition struct {
	Name        string         `json:"name,omitempty"`
	Image       string         `json:"image,omitempty"`
	CPU         int64          `json:"cpu"`
	Memory      *int64         `json:"memory,omitempty"`
	MemoryRes   *int64         `json:"memoryReservation,omitempty"`
	Essential   *bool          `json:"essential,omitempty"`
	EntryPoint  []string       `json:"entryPoint,omitempty"`
	Command     []string       `json:"command,omitempty"`
	Environment []KeyValuePair `json:"environment"`

	Extra map[string]json.RawMessage `json:"-"`
}

// containerFields are the JSON names ContainerDefinition types.
var containerFields = map[string]bool{
	"name": true, "image": true, "cpu": true, "memory": true, "memoryReservation": true,
	"essential": true, "entryPoint": true, "command": true, "environment": true,
}

type containerDefinitionJSON ContainerDefinition

func (c *ContainerDefinition) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	var typed containerDefinitionJSON
	if err := json.Unmarshal(b, &typed); err != nil {
		return err
	}
	*c = ContainerDefinition(typed)
	for k, v := range all {
		if !containerFields[k] && string(v) != "null" {
			if c.Extra == nil {
				c.Extra = map[string]json.RawMessage{}
			}
			c.Extra[k] = v
		}
	}
	return nil
}

func (c ContainerDefinition) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(containerDefinitionJSON(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		if !containerFields[k] {
			all[k] = v
		}
	}
	return json.Marshal(all)
}

// Failure is one item a batch call could not act on.
type Failure struct {
	Arn    string `json:"arn,omitempty"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}
