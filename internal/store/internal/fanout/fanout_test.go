package fanout

import (
	"context"
	"errors"
	"testing"

	"github.com/rolecall/rolecall/internal/store"
)

func ev(key string, rev int64) store.Event {
	return store.Event{Type: store.EventPut, KV: store.KV{Key: key, Value: []byte("v"), Revision: rev}}
}

func drain(ch <-chan store.Event) (n int, closed bool) {
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return n, true
			}
			n++
		default:
			return n, false
		}
	}
}

// A transaction that does not fit is never delivered in part: the watcher
// gets whole transactions and then a closed channel.
func TestOverflowDropsWholeTransaction(t *testing.T) {
	h := New(3)
	ch, err := h.Subscribe(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	h.Publish([]store.Event{ev("a", 1), ev("b", 1)})
	h.Publish([]store.Event{ev("a", 2), ev("b", 2)}) // needs 2, 1 free
	h.Publish([]store.Event{ev("c", 3)})             // after the drop: ignored
	if n, closed := drain(ch); n != 2 || !closed {
		t.Errorf("got %d events, closed=%v; want the first transaction's 2, then closed", n, closed)
	}
}

func TestPrefixMismatchDoesNotCountAgainstBuffer(t *testing.T) {
	h := New(1)
	ch, _ := h.Subscribe(context.Background(), "mine/")
	h.Publish([]store.Event{ev("other/1", 1), ev("other/2", 1), ev("mine/x", 1)})
	if n, closed := drain(ch); n != 1 || closed {
		t.Errorf("got %d events, closed=%v; want 1, open", n, closed)
	}
}

func TestEachWatcherGetsItsOwnValue(t *testing.T) {
	h := New(0)
	a, _ := h.Subscribe(context.Background(), "")
	b, _ := h.Subscribe(context.Background(), "")
	h.Publish([]store.Event{ev("k", 1)})
	ea, eb := <-a, <-b
	ea.KV.Value[0] = 'X'
	if string(eb.KV.Value) != "v" {
		t.Errorf("watcher b saw %q after watcher a modified its copy", eb.KV.Value)
	}
}

func TestCancelAndClose(t *testing.T) {
	h := New(0)
	ctx, cancel := context.WithCancel(context.Background())
	a, _ := h.Subscribe(ctx, "")
	b, _ := h.Subscribe(context.Background(), "")
	cancel()
	for range a { // closed by the AfterFunc goroutine
	}
	h.Publish([]store.Event{ev("k", 1)}) // must not send on a's closed channel
	h.Close()
	if n, closed := drain(b); n != 1 || !closed {
		t.Errorf("b: %d events, closed=%v; want 1, closed", n, closed)
	}
	h.Publish([]store.Event{ev("k", 2)})
	h.Close()
	if _, err := h.Subscribe(context.Background(), ""); !errors.Is(err, store.ErrClosed) {
		t.Errorf("Subscribe after Close: %v", err)
	}
	done, c := context.WithCancel(context.Background())
	c()
	if _, err := New(0).Subscribe(done, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("Subscribe with a done context: %v", err)
	}
}
