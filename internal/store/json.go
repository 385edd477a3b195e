package store

import (
	"encoding/json"
	"fmt"
)

// The domain services store their records as JSON. These helpers are their
// one way to read and write them; owner ("iam", "ecs") names the service in
// the error a record that no longer decodes gives.

// DecodeJSON decodes a record's value into a new T.
func DecodeJSON[T any](kv KV, owner string) (*T, error) {
	v := new(T)
	if err := json.Unmarshal(kv.Value, v); err != nil {
		return nil, fmt.Errorf("%s: corrupt record %s: %w", owner, kv.Key, err)
	}
	return v, nil
}

// GetJSON reads and decodes key, with its revision; a missing key is
// ErrNotFound.
func GetJSON[T any](r Reader, key, owner string) (*T, int64, error) {
	kv, err := r.Get(key)
	if err != nil {
		return nil, 0, err
	}
	v, err := DecodeJSON[T](kv, owner)
	if err != nil {
		return nil, 0, err
	}
	return v, kv.Revision, nil
}

// ListJSON decodes every record under prefix, in key order.
func ListJSON[T any](r Reader, prefix, owner string) ([]*T, error) {
	kvs, err := r.List(prefix, "", 0)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(kvs))
	for _, kv := range kvs {
		v, err := DecodeJSON[T](kv, owner)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// PutJSON encodes v and writes it at key.
func PutJSON(tx Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(key, b)
}

// CreateJSON encodes v and creates key (ErrExists if it is there).
func CreateJSON(tx Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Create(key, b)
}
