package sqlstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
)

// The audit journal as a hash chain.
//
// Writers insert into audit_log as they always did (tx.audit): one cheap
// INSERT in the transaction of the change, with no shared counter to take
// and so no new conflict between writers, on one server or many. A sealer
// (SealAudit) then gives the new entries, in order of id, their place in
// the chain: a row of audit_chain holding the place (seq), the entry's id,
// the hash of the previous place and the hash of this one, which covers the
// entry's content and the previous hash (chainHash). The sealer runs every
// few seconds in serve and at the start of every check; many sealers on one
// PostgreSQL may run at once: they read the chain's end, and insert the next
// places in one short transaction; two that take the same place collide on
// audit_chain's key, and the loser reads the new end and starts again. No
// advisory lock, no long transaction, and readers of audit_log never wait.
//
// What the chain proves: an entry sealed and then edited, deleted, moved or
// inserted among sealed ones, by someone who writes to the database behind
// the platform's back (and drops or disables its triggers), no longer
// matches the chain, and the check names it (verifyChain). Someone who also
// recomputes the chain from the edit onwards is caught by the anchors
// (audit_anchors): copies of the chain's hash at some places, checked
// against the chain, and exported so that an outside party keeps them where
// the database's writers cannot reach (passnum audit anchors, verify).
//
// What it does not prove: an entry not yet sealed, a few seconds old, is
// kept only by the triggers; an entry added behind the platform's back and
// dated now is sealed like any other; the last entries since the last
// anchor held outside can be removed along with their seals without a trace
// the database alone can show.

// Sealing and anchoring settings.
const (
	// sealBatch is the most entries one sealing transaction chains: the
	// first run over a long journal takes several short transactions
	// rather than one long one.
	sealBatch = 5000
	// lateGrace is how old an unsealed entry below the chain's end may
	// be and still be sealed. On PostgreSQL an id is drawn when a row is
	// inserted, not when its transaction commits: an entry may appear
	// after entries with larger ids were sealed, and is then sealed
	// after them. An entry older than lateGrace that appears there is
	// no slow transaction: it was inserted behind the platform's back,
	// and it stays unsealed for the check to name.
	lateGrace = 15 * time.Minute
	// anchorEvery and anchorInterval say when a sealing transaction
	// takes an anchor at the chain's new end: once the chain has grown
	// by anchorEvery entries, or once anchorInterval has passed, since
	// the last anchor.
	anchorEvery    = 1000
	anchorInterval = time.Hour
	// SealEvery is how often serve seals the journal.
	SealEvery = 5 * time.Second
)

// genesisHash is the previous hash of the chain's first entry.
var genesisHash = strings.Repeat("0", 64)

// auditEntry is an entry of audit_log, as stored.
type auditEntry struct {
	id                                     int64
	createdAt, actor, action, object, text string
}

// chainHash is the hash of the entry at place seq after prev: SHA-256 of
// a version tag and the fields, each written as its length in bytes, a
// colon, its bytes and a comma (a netstring). A length before each field
// makes the encoding unambiguous: no two different entries give the same
// bytes, whatever their text holds (separators, newlines, quotes).
func chainHash(seq int64, e auditEntry, prev string) string {
	buf := make([]byte, 0, 128+len(e.createdAt)+len(e.actor)+len(e.action)+len(e.object)+len(e.text))
	field := func(s string) {
		buf = strconv.AppendInt(buf, int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
		buf = append(buf, ',')
	}
	field("passnum-audit-v1")
	field(strconv.FormatInt(seq, 10))
	field(strconv.FormatInt(e.id, 10))
	field(e.createdAt)
	field(e.actor)
	field(e.action)
	field(e.object)
	field(e.text)
	field(prev)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// chainEnd is the last place of the chain and the largest entry id sealed.
type chainEnd struct {
	seq      int64
	hash     string
	maxAudit int64
}

// chainEnd reads the end of the chain; an empty chain ends at 0, genesis.
func (t *tx) chainEnd() (chainEnd, error) {
	end := chainEnd{hash: genesisHash}
	err := t.row(`SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1`).Scan(&end.seq, &end.hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return end, err
	}
	return end, t.get(&end.maxAudit, `SELECT COALESCE(MAX(audit_id), 0) FROM audit_chain`)
}

const auditColumns = `a.id, a.created_at, a.actor, a.action, a.object, a.detail`

func scanAuditEntry(sc scanner) (auditEntry, error) {
	var e auditEntry
	err := sc.Scan(&e.id, &e.createdAt, &e.actor, &e.action, &e.object, &e.text)
	return e, err
}

// unsealed returns, in order of id, at most limit entries to seal after
// end: late ones (below the chain's end, younger than lateGrace) first,
// then those past the end.
//
// Looking for late entries costs a probe of the chain per entry of the
// last lateGrace; SQLite needs none: its one writer (groupCommit) commits
// entries in the order of their ids.
func (t *tx) unsealed(end chainEnd, limit int) ([]auditEntry, error) {
	var late []auditEntry
	if !t.s.dialect.groupCommit() {
		var err error
		// No ORDER BY: ordered by id, the planner may walk the whole
		// primary key rather than the few recent entries of the index
		// on created_at; the few late entries are sorted here.
		late, err = selectAll(t, scanAuditEntry, `SELECT `+auditColumns+` FROM audit_log a
			WHERE a.created_at >= ? AND a.id < ? AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)
			LIMIT ?`, passnum.FormatTime(t.now.Add(-lateGrace)), end.maxAudit, limit)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(late, func(a, b auditEntry) int { return cmp.Compare(a.id, b.id) })
	}
	next, err := selectAll(t, scanAuditEntry, `SELECT `+auditColumns+` FROM audit_log a WHERE a.id > ? ORDER BY a.id LIMIT ?`,
		end.maxAudit, limit-len(late))
	return append(late, next...), err
}

// errChainMoved says that another sealer extended the chain between the
// read of the entries to seal and their sealing.
var errChainMoved = errors.New("the audit chain moved")

// SealAudit chains the journal's entries not yet sealed, in batches of
// short transactions, and returns how many it sealed. It needs no actor:
// it is the platform's own work, which records nothing of anyone's.
func (s *Store) SealAudit(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.sealBatch(ctx)
		total += n
		if err != nil {
			return total, fmt.Errorf("seal the audit journal: %w", err)
		}
		if n < sealBatch {
			return total, nil
		}
	}
}

// sealBatch seals at most sealBatch entries. It reads them in a read-only
// snapshot, which takes no lock that writers of audit_log could meet, then
// writes their seals in a transaction that reads and writes only the chain:
// if the chain's end moved in between, it starts again.
func (s *Store) sealBatch(ctx context.Context) (int, error) {
	for attempt := 1; ; attempt++ {
		var end chainEnd
		var entries []auditEntry
		err := s.read(ctx, func(t *tx) (err error) {
			if end, err = t.chainEnd(); err != nil {
				return err
			}
			entries, err = t.unsealed(end, sealBatch)
			return err
		})
		if err != nil || len(entries) == 0 {
			return 0, err
		}
		err = s.write(ctx, "audit seal", func(t *tx) error {
			now, err := t.chainEnd()
			if err != nil {
				return err
			}
			if now != end {
				return errChainMoved
			}
			return t.seal(end, entries)
		})
		if errors.Is(err, errChainMoved) && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return 0, err
		}
		return len(entries), nil
	}
}

// seal writes the places of entries after end, and an anchor at the new
// end when one is due.
func (t *tx) seal(end chainEnd, entries []auditEntry) error {
	seqs := make([]int64, len(entries))
	prevs := make([]string, len(entries))
	hashes := make([]string, len(entries))
	prev := end.hash
	for i, e := range entries {
		seqs[i], prevs[i] = end.seq+int64(i)+1, prev
		hashes[i] = chainHash(seqs[i], e, prev)
		prev = hashes[i]
	}
	sealedAt := t.nowText()
	err := t.bulkInsert("audit_chain", []string{"seq", "audit_id", "prev_hash", "hash", "sealed_at"}, len(entries), func(i int, row []any) {
		row[0], row[1], row[2], row[3], row[4] = seqs[i], entries[i].id, prevs[i], hashes[i], sealedAt
	}, nil)
	if err != nil {
		return err
	}
	last := len(entries) - 1
	return t.anchorIfDue(seqs[last], hashes[last])
}

// anchorIfDue takes an anchor at seq when the chain has grown by
// anchorEvery entries, or anchorInterval has passed, since the last one.
func (t *tx) anchorIfDue(seq int64, hash string) error {
	var lastSeq int64
	var lastAt string
	err := t.row(`SELECT seq, created_at FROM audit_anchors ORDER BY seq DESC LIMIT 1`).Scan(&lastSeq, &lastAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case seq-lastSeq < anchorEvery && lastAt > passnum.FormatTime(t.now.Add(-anchorInterval)):
		return nil
	}
	return t.exec(`INSERT INTO audit_anchors (seq, hash, created_at) VALUES (?, ?, ?)`, seq, hash, t.nowText())
}

// breakKind is how the journal departs from its chain.
type breakKind int

const (
	breakEdited    breakKind = iota // an entry's content no longer gives its hash
	breakDeleted                    // a sealed entry is gone from audit_log
	breakMoved                      // an entry holds another sealed entry's content
	breakRehashed                   // an entry's hash was recomputed after an edit: the next one's link still holds the old hash
	breakRelinked                   // an entry's link to the previous one was edited
	breakGap                        // places of the chain are missing (seals deleted)
	breakInserted                   // an unsealed entry older than entries sealed after it
	breakAnchor                     // an anchor the chain no longer gives
	breakTruncated                  // an anchor past the chain's end
)

// chainBreak is one departure of the journal from its chain, named
// precisely: the place and the entry where it is, and for a move, the place
// and entry whose content it holds.
type chainBreak struct {
	kind           breakKind
	seq, auditID   int64
	seq2, auditID2 int64  // breakMoved: the entry whose content this one holds; breakGap: the last missing place
	at             string // breakInserted: the entry's date; anchors: the anchor's
	hash           string // anchors: the anchor's hash
}

// String says the break in English, as the checks of CheckInvariants do.
func (b chainBreak) String() string {
	switch b.kind {
	case breakEdited:
		return fmt.Sprintf("audit: entry %d (audit id %d) was edited: its content no longer gives its hash", b.seq, b.auditID)
	case breakDeleted:
		return fmt.Sprintf("audit: entry %d (audit id %d) was deleted from audit_log", b.seq, b.auditID)
	case breakMoved:
		return fmt.Sprintf("audit: entry %d (audit id %d) was reordered: it holds the content sealed as entry %d (audit id %d)", b.seq, b.auditID, b.seq2, b.auditID2)
	case breakRehashed:
		return fmt.Sprintf("audit: entry %d (audit id %d) was edited and its hash recomputed: entry %d still links to the old hash", b.seq, b.auditID, b.seq+1)
	case breakRelinked:
		return fmt.Sprintf("audit: entry %d (audit id %d) had its link to entry %d edited", b.seq, b.auditID, b.seq-1)
	case breakGap:
		if b.seq == b.seq2 {
			return fmt.Sprintf("audit: entry %d is missing from the chain (its seal was deleted)", b.seq)
		}
		return fmt.Sprintf("audit: entries %d to %d are missing from the chain (their seals were deleted)", b.seq, b.seq2)
	case breakInserted:
		return fmt.Sprintf("audit: audit id %d, dated %s, was inserted behind the chain: it is not sealed, yet older than entries sealed after it", b.auditID, b.at)
	case breakAnchor:
		return fmt.Sprintf("audit: anchor %d of %s no longer matches the chain: the chain was rewritten up to entry %d at least", b.seq, b.at, b.seq)
	case breakTruncated:
		return fmt.Sprintf("audit: anchor %d of %s is past the chain's end, entry %d: entries were removed from the end", b.seq, b.at, b.seq2)
	}
	return fmt.Sprintf("audit: entry %d (audit id %d): break %d", b.seq, b.auditID, b.kind)
}

// French says the break in French, for passnum audit verify.
func (b chainBreak) French() string {
	switch b.kind {
	case breakEdited:
		return fmt.Sprintf("l'entrée n° %d (identifiant %d) a été modifiée : son contenu ne donne plus son empreinte", b.seq, b.auditID)
	case breakDeleted:
		return fmt.Sprintf("l'entrée n° %d (identifiant %d) a été supprimée du journal", b.seq, b.auditID)
	case breakMoved:
		return fmt.Sprintf("l'entrée n° %d (identifiant %d) a été déplacée : elle porte le contenu scellé comme entrée n° %d (identifiant %d)", b.seq, b.auditID, b.seq2, b.auditID2)
	case breakRehashed:
		return fmt.Sprintf("l'entrée n° %d (identifiant %d) a été modifiée et son empreinte recalculée : l'entrée n° %d porte encore l'ancienne", b.seq, b.auditID, b.seq+1)
	case breakRelinked:
		return fmt.Sprintf("le lien de l'entrée n° %d (identifiant %d) vers l'entrée n° %d a été modifié", b.seq, b.auditID, b.seq-1)
	case breakGap:
		if b.seq == b.seq2 {
			return fmt.Sprintf("l'entrée n° %d manque à la chaîne (son sceau a été supprimé)", b.seq)
		}
		return fmt.Sprintf("les entrées n° %d à %d manquent à la chaîne (leurs sceaux ont été supprimés)", b.seq, b.seq2)
	case breakInserted:
		return fmt.Sprintf("l'entrée d'identifiant %d, datée du %s, a été ajoutée hors de la chaîne", b.auditID, b.at)
	case breakAnchor:
		return fmt.Sprintf("l'ancre n° %d du %s ne correspond plus : la chaîne a été réécrite au moins jusqu'à l'entrée n° %d", b.seq, b.at, b.seq)
	case breakTruncated:
		return fmt.Sprintf("l'ancre n° %d du %s dépasse la fin de la chaîne (entrée n° %d) : des entrées ont été retirées de la fin", b.seq, b.at, b.seq2)
	}
	return fmt.Sprintf("l'entrée n° %d (identifiant %d) ne correspond plus à la chaîne", b.seq, b.auditID)
}

// sealedEntry is a place of the chain, with the entry it seals when
// audit_log still holds it.
type sealedEntry struct {
	seq, auditID    int64
	prevHash, hash  string
	entry           auditEntry
	present         bool
	contentMismatch bool
}

// maxMoveCandidates bounds the entries whose content is compared with
// every other's to find moves: beyond, each is named as edited.
const maxMoveCandidates = 200

// verifyChain recomputes the whole chain in order of place, and reports
// each break with found: places missing, entries deleted, edited, moved,
// rehashed, relinked; then entries inserted behind the chain.
func (t *tx) verifyChain(found func(chainBreak)) error {
	var maxAudit int64
	var mismatched []sealedEntry
	var previous *sealedEntry
	var prevCopy sealedEntry
	err := t.each(`SELECT c.seq, c.audit_id, c.prev_hash, c.hash, a.id, a.created_at, a.actor, a.action, a.object, a.detail
		FROM audit_chain c LEFT JOIN audit_log a ON a.id = c.audit_id ORDER BY c.seq`, func(sc scanner) error {
		var e sealedEntry
		var id sql.NullInt64
		var createdAt, actor, action, object, text sql.NullString
		if err := sc.Scan(&e.seq, &e.auditID, &e.prevHash, &e.hash, &id, &createdAt, &actor, &action, &object, &text); err != nil {
			return err
		}
		e.present = id.Valid
		e.entry = auditEntry{id: id.Int64, createdAt: createdAt.String, actor: actor.String, action: action.String, object: object.String, text: text.String}
		maxAudit = max(maxAudit, e.auditID)

		expectedSeq, expectedPrev := int64(1), genesisHash
		if previous != nil {
			expectedSeq, expectedPrev = previous.seq+1, previous.hash
		}
		linked := true
		if e.seq != expectedSeq {
			found(chainBreak{kind: breakGap, seq: expectedSeq, seq2: e.seq - 1})
		} else if e.prevHash != expectedPrev {
			linked = false
		}
		switch {
		case !e.present:
			found(chainBreak{kind: breakDeleted, seq: e.seq, auditID: e.auditID})
		case chainHash(e.seq, e.entry, e.prevHash) == e.hash:
			if !linked && !previous.contentMismatch {
				// The entry is whole and its link is what it was sealed
				// with: the previous one changed its hash since, to that
				// of an edited content. (A previous hash that its content
				// does not give is named there, as an edit.)
				found(chainBreak{kind: breakRehashed, seq: previous.seq, auditID: previous.auditID})
			}
		case !linked && chainHash(e.seq, e.entry, expectedPrev) == e.hash:
			found(chainBreak{kind: breakRelinked, seq: e.seq, auditID: e.auditID})
		default:
			e.contentMismatch = true
			mismatched = append(mismatched, e)
		}
		prevCopy = e
		previous = &prevCopy
		return nil
	})
	if err != nil {
		return err
	}
	nameMismatches(mismatched, found)
	return t.findInserted(maxAudit, found)
}

// nameMismatches names the entries whose content no longer gives their
// hash: moved when their content gives the hash of another such place
// with that place's entry id (two entries swapped, or ids exchanged),
// edited otherwise.
func nameMismatches(mismatched []sealedEntry, found func(chainBreak)) {
	for i, e := range mismatched {
		b := chainBreak{kind: breakEdited, seq: e.seq, auditID: e.auditID}
		if len(mismatched) <= maxMoveCandidates {
			for j, other := range mismatched {
				if i == j {
					continue
				}
				moved := e.entry
				moved.id = other.auditID
				if chainHash(other.seq, moved, other.prevHash) == other.hash {
					b = chainBreak{kind: breakMoved, seq: e.seq, auditID: e.auditID, seq2: other.seq, auditID2: other.auditID}
					break
				}
			}
		}
		found(b)
	}
}

// findInserted names the entries below the chain's end that are not
// sealed and older than lateGrace: the sealer never seals them (unsealed),
// since no transaction of the platform commits that late.
func (t *tx) findInserted(maxAudit int64, found func(chainBreak)) error {
	return t.each(`SELECT a.id, a.created_at FROM audit_log a
		WHERE a.id < ? AND a.created_at < ? AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id)
		ORDER BY a.id`, func(sc scanner) error {
		var b chainBreak
		if err := sc.Scan(&b.auditID, &b.at); err != nil {
			return err
		}
		b.kind = breakInserted
		found(b)
		return nil
	}, maxAudit, passnum.FormatTime(t.now.Add(-lateGrace)))
}

// checkAnchors reports each anchor of audit_anchors the chain no longer
// gives.
func (t *tx) checkAnchors(found func(chainBreak)) error {
	anchors, err := t.anchors()
	if err != nil {
		return err
	}
	return t.matchAnchors(anchors, found)
}

// anchors reads the anchors of audit_anchors, oldest first.
func (t *tx) anchors() ([]passnum.AuditAnchor, error) {
	return selectAll(t, func(sc scanner) (passnum.AuditAnchor, error) {
		var a passnum.AuditAnchor
		var at string
		if err := sc.Scan(&a.Seq, &a.Hash, &at); err != nil {
			return a, err
		}
		var err error
		a.At, err = passnum.ParseTime(at)
		return a, err
	}, `SELECT seq, hash, created_at FROM audit_anchors ORDER BY seq`)
}

// matchAnchors reports each of anchors whose place the chain no longer has,
// or has with another hash.
func (t *tx) matchAnchors(anchors []passnum.AuditAnchor, found func(chainBreak)) error {
	var end int64
	if err := t.get(&end, `SELECT COALESCE(MAX(seq), 0) FROM audit_chain`); err != nil {
		return err
	}
	for _, a := range anchors {
		at := passnum.FormatTime(a.At)
		var hash string
		err := t.get(&hash, `SELECT hash FROM audit_chain WHERE seq = ?`, a.Seq)
		switch {
		case errors.Is(err, sql.ErrNoRows) && a.Seq > end:
			found(chainBreak{kind: breakTruncated, seq: a.Seq, seq2: end, at: at, hash: a.Hash})
		case errors.Is(err, sql.ErrNoRows):
			found(chainBreak{kind: breakAnchor, seq: a.Seq, at: at, hash: a.Hash})
		case err != nil:
			return err
		case hash != a.Hash:
			found(chainBreak{kind: breakAnchor, seq: a.Seq, at: at, hash: a.Hash})
		}
	}
	return nil
}

// maxChainProblems bounds the breaks a check names one by one.
const maxChainProblems = 20

// failBreaks turns breaks into problems of a check, naming the first
// maxChainProblems and counting the others.
func failBreaks(fail failFunc) (found func(chainBreak), done func()) {
	n := 0
	return func(b chainBreak) {
			n++
			if n <= maxChainProblems {
				fail("%s", b)
			}
		}, func() {
			if n > maxChainProblems {
				fail("audit: %d more breaks of the chain", n-maxChainProblems)
			}
		}
}

// checkAuditChain is the check audit.chain.
func (t *tx) checkAuditChain(fail failFunc) error {
	found, done := failBreaks(fail)
	err := t.verifyChain(found)
	done()
	return err
}

// checkAuditAnchors is the check audit.anchors.
func (t *tx) checkAuditAnchors(fail failFunc) error {
	found, done := failBreaks(fail)
	err := t.checkAnchors(found)
	done()
	return err
}

// auditChecks: the audit journal still is the chain it was sealed as.
var auditChecks = []invariantCheck{
	{name: "audit.chain", about: "Every sealed entry of the audit journal gives its hash and links to the one before, places follow without gaps, and no unsealed entry hides among sealed ones: edits, deletions, moves and insertions made in the database are named.",
		run: (*tx).checkAuditChain},
	{name: "audit.anchors", about: "Every anchor of the audit journal is still the hash of its place in the chain: a chain recomputed after an edit is caught here.",
		run: (*tx).checkAuditAnchors},
}

// AuditAnchors lists the anchors of the audit journal's chain, oldest
// first (operator admins).
func (s *Store) AuditAnchors(ctx context.Context) ([]passnum.AuditAnchor, error) {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActAuditAnchors); err != nil {
		return nil, err
	}
	var out []passnum.AuditAnchor
	err := s.read(ctx, func(t *tx) (err error) {
		out, err = t.anchors()
		return err
	})
	if out == nil {
		out = []passnum.AuditAnchor{}
	}
	return out, err
}

// VerifyAuditAnchors checks the whole chain, then that it still gives each
// of anchors (operator admins). It answers an ECONFLICT error naming the
// first break, or else the first anchor the chain no longer gives.
func (s *Store) VerifyAuditAnchors(ctx context.Context, anchors []passnum.AuditAnchor) error {
	if err := passnum.Authorize(passnum.ActorFromContext(ctx), passnum.ActAuditAnchors); err != nil {
		return err
	}
	return s.read(ctx, func(t *tx) error {
		var breaks []chainBreak
		collect := func(b chainBreak) { breaks = append(breaks, b) }
		if err := t.verifyChain(collect); err != nil {
			return err
		}
		if len(breaks) > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonAuditChainBroken,
				"Le journal d'audit est altéré (%d rupture(s) de la chaîne) : %s.", len(breaks), breaks[0].French())
		}
		if err := t.matchAnchors(anchors, collect); err != nil {
			return err
		}
		if len(breaks) > 0 {
			return passnum.Errorf(passnum.ECONFLICT, passnum.ReasonAuditAnchorMissing,
				"Le journal d'audit ne contient plus %d des %d ancre(s) : %s.", len(breaks), len(anchors), breaks[0].French())
		}
		return nil
	})
}
