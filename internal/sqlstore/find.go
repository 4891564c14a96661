package sqlstore

import (
	"context"

	"github.com/passnum/passnum"
)

// readOne is how a Find method reads one record: it authorises the actor
// of ctx for action, then runs find in a read transaction. find applies
// the rights of the list beside the Find method: a record that the list
// would not show the actor is not found.
func readOne[T any](ctx context.Context, s *Store, action passnum.Action, find func(tx *tx, a *passnum.Actor) (T, error)) (T, error) {
	a := passnum.ActorFromContext(ctx)
	var out T
	if err := passnum.Authorize(a, action); err != nil {
		return out, err
	}
	err := s.read(ctx, func(tx *tx) error {
		var err error
		out, err = find(tx, a)
		return err
	})
	return out, err
}
