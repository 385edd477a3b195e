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
// started: STATE_DIR/records/TASK_ID/task.json (mode 0600, in 0700
// directories), beside the shims' lock and exit files, apart from the
// containers' working directory (STATE_DIR/tasks/TASK_ID). It is written
// before the task's containers start (a task whose record cannot be
// written does not start), again with their runtime IDs once they run,
// and with the stop reason once they ended; the directory is removed once
// the task's end has been reported.
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
	// Stopped is set once the task ended here and its end is being
	// reported: an agent that finds it reports that end (it does not
	// follow the task again).
	Stopped *stoppedRecord `json:"stopped,omitempty"`
}

type containerRecord struct {
	Name      string `json:"name"`
	Essential bool   `json:"essential"`
	RuntimeID string `json:"runtimeId,omitempty"`
}

// stoppedRecord is the report of a task's end that is not yet
// acknowledged.
type stoppedRecord struct {
	Reason string `json:"reason"`
	// Containers is what SubmitTaskStateChange sends for each container.
	Containers []map[string]any `json:"containers"`
}

const taskRecordFile = "task.json"

// taskDir is the task's containers' directory (their output, their
// working directory and HOME); recordDir holds its record and the
// runtime's files.
func (a *Agent) taskDir(id string) string   { return filepath.Join(a.cfg.StateDir, "tasks", id) }
func (a *Agent) recordDir(id string) string { return filepath.Join(a.cfg.StateDir, "records", id) }

func (a *Agent) saveTaskRecord(id string, rec taskRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(a.recordDir(id), 0o700); err != nil {
		return err
	}
	return writeFileSync(filepath.Join(a.recordDir(id), taskRecordFile), append(b, '\n'))
}

// removeTaskRecord drops a task's record and the runtime's files (the
// task has ended and its end was reported).
func (a *Agent) removeTaskRecord(id string) {
	if err := os.RemoveAll(a.recordDir(id)); err != nil {
		a.log.Warn("removing a task record", "err", err)
	}
}

// loadTaskRecords reads every task record in the state directory, in task
// ID order. The IDs of records that cannot be read are returned apart:
// those tasks must not be started again either.
func (a *Agent) loadTaskRecords() (ids []string, recs []taskRecord, unreadable []string) {
	dirs, err := os.ReadDir(filepath.Join(a.cfg.StateDir, "records"))
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			a.log.Warn("reading task records", "err", err)
		}
		return nil, nil, nil
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].Name() < dirs[j].Name() })
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(a.recordDir(d.Name()), taskRecordFile))
		var rec taskRecord
		if err == nil {
			err = json.Unmarshal(b, &rec)
		}
		if err == nil && (rec.TaskArn == "" || len(rec.Containers) == 0) {
			err = errors.New("incomplete")
		}
		if err != nil {
			a.log.Warn("an unreadable task record: the task is reported stopped", "task", d.Name(), "err", fmt.Sprint(err))
			unreadable = append(unreadable, d.Name())
			continue
		}
		ids = append(ids, d.Name())
		recs = append(recs, rec)
	}
	return ids, recs, unreadable
}
