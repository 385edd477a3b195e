package agent

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// taskRecord is what a restarted agent needs to take back a task it had
// started: STATE_DIR/tasks/TASK_ID/task.json (mode 0600, in a 0700
// directory). It is written before the task's containers start (and again
// with their runtime IDs once they run) and removed once the task's end
// has been reported.
//
// It holds the task's authorization tokens: its containers keep
// presenting them to the credentials endpoint, and a restarted agent must
// keep accepting them (the ECS agent keeps its task state on disk the same
// way). Credentials themselves are not written: the control plane sends
// them again to a re-registered agent.
type taskRecord struct {
	TaskArn string `json:"taskArn"`
	// ContainerInstanceArn is the instance that ran it: a state directory
	// whose instance was registered again under a new ARN cannot adopt.
	ContainerInstanceArn string            `json:"containerInstanceArn"`
	Token                string            `json:"token"`
	ExecToken            string            `json:"execToken"`
	Containers           []containerRecord `json:"containers"`
	// CredentialsURL is the endpoint its containers were told (FULL_URI
	// without the ID): an agent that adopts the task must serve there.
	CredentialsURL string `json:"credentialsUrl,omitempty"`
}

type containerRecord struct {
	Name      string `json:"name"`
	Essential bool   `json:"essential"`
	RuntimeID string `json:"runtimeId,omitempty"`
}

const taskRecordFile = "task.json"

func (a *Agent) taskDir(id string) string { return filepath.Join(a.cfg.StateDir, "tasks", id) }

func (a *Agent) saveTaskRecord(id string, rec taskRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(a.taskDir(id), 0o700); err != nil {
		return err
	}
	return writeFileSync(filepath.Join(a.taskDir(id), taskRecordFile), append(b, '\n'))
}

func (a *Agent) removeTaskRecord(id string) {
	if err := os.Remove(filepath.Join(a.taskDir(id), taskRecordFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		a.log.Warn("removing a task record", "err", err)
	}
}

// loadTaskRecords reads every task record in the state directory, in task
// ID order. Unreadable records are reported and skipped.
func (a *Agent) loadTaskRecords() (ids []string, recs []taskRecord) {
	dirs, err := os.ReadDir(filepath.Join(a.cfg.StateDir, "tasks"))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			a.log.Warn("reading task records", "err", err)
		}
		return nil, nil
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].Name() < dirs[j].Name() })
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(a.cfg.StateDir, "tasks", d.Name(), taskRecordFile))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		var rec taskRecord
		if err == nil {
			err = json.Unmarshal(b, &rec)
		}
		if err == nil && (rec.TaskArn == "" || len(rec.Containers) == 0) {
			err = errors.New("incomplete")
		}
		if err != nil {
			a.log.Warn("skipping an unreadable task record", "task", d.Name(), "err", fmt.Sprint(err))
			continue
		}
		ids = append(ids, d.Name())
		recs = append(recs, rec)
	}
	return ids, recs
}
