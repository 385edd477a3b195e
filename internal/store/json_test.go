package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/store"
	"github.com/rolecall/rolecall/internal/store/memory"
)

type rec struct {
	Name string `json:"name"`
}

// The JSON record helpers round-trip, keep key order, report missing and
// existing keys as the store does, and name the owner of a corrupt record.
func TestJSONRecords(t *testing.T) {
	st := memory.New()
	ctx := context.Background()
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := store.PutJSON(tx, "x/b", rec{"b"}); err != nil {
			return err
		}
		if err := store.CreateJSON(tx, "x/a", rec{"a"}); err != nil {
			return err
		}
		if err := store.CreateJSON(tx, "x/a", rec{"again"}); !errors.Is(err, store.ErrExists) {
			t.Errorf("Create over a key: %v", err)
		}
		return tx.Put("y/bad", []byte("{"))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(r store.Reader) error {
		v, rev, err := store.GetJSON[rec](r, "x/a", "test")
		if err != nil || v.Name != "a" || rev == 0 {
			t.Errorf("GetJSON: %+v %d %v", v, rev, err)
		}
		if _, _, err := store.GetJSON[rec](r, "x/none", "test"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		all, err := store.ListJSON[rec](r, "x/", "test")
		if err != nil || len(all) != 2 || all[0].Name != "a" || all[1].Name != "b" {
			t.Errorf("ListJSON: %+v %v", all, err)
		}
		if _, _, err := store.GetJSON[rec](r, "y/bad", "test"); err == nil || !strings.HasPrefix(err.Error(), "test: corrupt record y/bad: ") {
			t.Errorf("corrupt: %v", err)
		}
		if _, err := store.ListJSON[rec](r, "y/", "test"); err == nil || !strings.HasPrefix(err.Error(), "test: corrupt record y/bad: ") {
			t.Errorf("corrupt in a list: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
