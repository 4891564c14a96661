package passnum

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Incremental indicators. Every figure of a snapshot is a sum over people
// (and over carnets handed to nobody, each a unit of its own) of what that
// unit adds to its rows: counts, money, delays as histograms, a person
// once per row. So a snapshot plus what changed is the next snapshot: take
// off what the units that changed added (recomputed from the records of
// them the snapshot kept) and add what they add now. A row exists when at
// least one unit added to it, so the snapshot keeps, per row, how many
// units did (Units), and a row whose count falls to zero goes, as a full
// computation would never have made it.

// CarnetRecord is one carnet as a snapshot saw it: its facts, its holder's
// (without other carnets), and the reference data its contribution reads
// that may change without the carnet changing (its batch's date, its
// prescriber's commune). Two equal encodings add the same to every row.
type CarnetRecord struct {
	Person            PersonFacts // ID, Commune and AgeBand; no carnets
	Carnet            CarnetFact
	BatchDate         time.Time
	PrescriberCommune string
}

var stateCodes = map[PassState]byte{StateIssued: 'i', StateActivated: 'a', StateAllocated: 'l', StateDistributed: 'd',
	StateRedeemed: 'r', StateSettled: 's', StateBlocked: 'b', StateExpired: 'e'}

func stateOfCode(c string) (PassState, bool) {
	for s, b := range stateCodes {
		if string(b) == c {
			return s, true
		}
	}
	return "", false
}

func encTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMicro(), 36)
}

func encID(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 36)
}

// Encode writes the record compactly (a carnet of ten passes in some two
// hundred bytes): fields separated by "|", passes by ";", a pass's fields
// by ","; numbers and instants (microseconds) in base 36; an activation
// instant equal to the previous pass's as "=". Communes and age bands hold
// none of these separators.
func (r *CarnetRecord) Encode() string {
	var b strings.Builder
	c := &r.Carnet
	booked := "0"
	if c.BookedAtHandOut {
		booked = "1"
	}
	for _, f := range []string{"1", encID(r.Person.ID), r.Person.Commune, r.Person.AgeBand, encID(c.Number), encID(c.ProgrammeID),
		encID(c.BatchID), encTime(r.BatchDate), encID(c.PrescriberID), r.PrescriberCommune, encTime(c.AllocatedAt),
		encTime(c.DistributedAt), booked} {
		b.WriteString(f)
		b.WriteByte('|')
	}
	var prev time.Time
	for i, p := range c.Passes {
		if i > 0 {
			b.WriteByte(';')
		}
		if code, ok := stateCodes[p.State]; ok {
			b.WriteByte(code)
		} else {
			b.WriteString(string(p.State)) // longer than one letter: never a code
		}
		b.WriteByte(',')
		if i > 0 && p.ActivatedAt.Equal(prev) && !p.ActivatedAt.IsZero() {
			b.WriteByte('=')
		} else {
			b.WriteString(encTime(p.ActivatedAt))
		}
		prev = p.ActivatedAt
		b.WriteString("," + encID(p.VenueID) + "," + encTime(p.RedeemedAt) + "," + encID(p.ServiceID))
	}
	return b.String()
}

// Digest is a 64-bit hash of an encoded record: the snapshot compares
// digests to find the carnets that changed.
func Digest(encoded string) int64 {
	h := fnv.New64a()
	h.Write([]byte(encoded))
	return int64(h.Sum64())
}

// DecodeCarnetRecord reads what Encode wrote.
func DecodeCarnetRecord(s string) (CarnetRecord, error) {
	var r CarnetRecord
	bad := func(what string) (CarnetRecord, error) {
		return CarnetRecord{}, fmt.Errorf("indicator record %.40q: bad %s", s, what)
	}
	f := strings.SplitN(s, "|", 14)
	if len(f) != 14 || f[0] != "1" {
		return bad("shape")
	}
	var err error
	num := func(x string) int64 {
		if x == "" || err != nil {
			return 0
		}
		var n int64
		n, err = strconv.ParseInt(x, 36, 64)
		return n
	}
	at := func(x string) time.Time {
		if n := num(x); n != 0 {
			return time.UnixMicro(n).UTC()
		}
		return time.Time{}
	}
	c := &r.Carnet
	r.Person.ID, r.Person.Commune, r.Person.AgeBand = num(f[1]), f[2], f[3]
	c.Number, c.ProgrammeID, c.BatchID, r.BatchDate = num(f[4]), num(f[5]), num(f[6]), at(f[7])
	c.PrescriberID, r.PrescriberCommune, c.AllocatedAt, c.DistributedAt = num(f[8]), f[9], at(f[10]), at(f[11])
	c.BookedAtHandOut = f[12] == "1"
	if f[13] != "" {
		var prev time.Time
		for _, ps := range strings.Split(f[13], ";") {
			pf := strings.Split(ps, ",")
			if len(pf) != 5 {
				return bad("pass")
			}
			st, ok := stateOfCode(pf[0])
			if !ok {
				st = PassState(pf[0])
			}
			p := PassFact{State: st, VenueID: num(pf[2]), RedeemedAt: at(pf[3]), ServiceID: num(pf[4])}
			if pf[1] == "=" {
				p.ActivatedAt = prev
			} else {
				p.ActivatedAt = at(pf[1])
			}
			prev = p.ActivatedAt
			c.Passes = append(c.Passes, p)
		}
	}
	if err != nil {
		return bad("number: " + err.Error())
	}
	return r, nil
}

// RefsDigest hashes the reference data every unit's contribution reads
// and that no record holds: programmes (face values, funders and shares),
// services (categories, minutes per pass) and hubs (territories). When it
// differs from the snapshot's, every unit may add something else: the
// refresh recounts everything.
func RefsDigest(refs *IndicatorRefs) string {
	var b strings.Builder
	ids := func(n int) []int64 { return make([]int64, 0, n) }
	progs := ids(len(refs.Programmes))
	for id := range refs.Programmes {
		progs = append(progs, id)
	}
	sort.Slice(progs, func(i, j int) bool { return progs[i] < progs[j] })
	for _, id := range progs {
		p := refs.Programmes[id]
		fmt.Fprintf(&b, "p%d:%d", id, p.FaceValueCents)
		for _, f := range p.Funders {
			fmt.Fprintf(&b, ",%d:%d", f.FunderID, f.ShareBP)
		}
		b.WriteByte(';')
	}
	svcs := ids(len(refs.Services))
	for id := range refs.Services {
		svcs = append(svcs, id)
	}
	sort.Slice(svcs, func(i, j int) bool { return svcs[i] < svcs[j] })
	for _, id := range svcs {
		fmt.Fprintf(&b, "s%d:%d:%q;", id, refs.Services[id].MinutesPerPass, refs.Services[id].Category)
	}
	hubs := append([]HubRef(nil), refs.Hubs...)
	sort.Slice(hubs, func(i, j int) bool { return hubs[i].ID < hubs[j].ID })
	for _, h := range hubs {
		fmt.Fprintf(&b, "h%d:%v;", h.ID, h.Territory)
	}
	return fmt.Sprintf("%016x", uint64(Digest(b.String())))
}

// IndicatorTable is a snapshot's rows in memory: the values and how many
// units added to each, and the open data cells.
type IndicatorTable struct {
	Cells  map[CellKey]*IndicatorValues
	Units  map[CellKey]int64
	Open   map[string][]int64
	Passes int64
}

// Table returns the builder's rows (after Finish) as a table.
func (b *IndicatorBuilder) Table() *IndicatorTable {
	return &IndicatorTable{Cells: b.Cells, Units: b.Units, Open: b.Open, Passes: b.Passes}
}

// Apply adds what plus counted and takes off what minus counted (both
// finished), dropping the rows no unit adds to any more.
func (t *IndicatorTable) Apply(plus, minus *IndicatorBuilder) error {
	for _, side := range []struct {
		b    *IndicatorBuilder
		sign int64
	}{{minus, -1}, {plus, 1}} {
		t.Passes += side.sign * side.b.Passes
		for k, v := range side.b.Cells {
			cur := t.Cells[k]
			if cur == nil {
				cur = &IndicatorValues{}
				t.Cells[k] = cur
			}
			cur.addValues(v, side.sign)
			t.Units[k] += side.sign * side.b.Units[k]
			switch n := t.Units[k]; {
			case n < 0:
				return fmt.Errorf("indicators: row %v: %d units", k, n)
			case n == 0:
				if !cur.isZero() {
					return fmt.Errorf("indicators: row %v: no unit left but %+v", k, *cur)
				}
				delete(t.Cells, k)
				delete(t.Units, k)
			}
		}
		for k, counts := range side.b.Open {
			cur := t.Open[k]
			if cur == nil {
				cur = make([]int64, len(OpenDataMeasures))
				t.Open[k] = cur
			}
			zero := true
			for i := range cur {
				cur[i] += side.sign * counts[i]
				if cur[i] < 0 {
					return fmt.Errorf("indicators: open data %s: %v", k, cur)
				}
				zero = zero && cur[i] == 0
			}
			if zero {
				delete(t.Open, k)
			}
		}
	}
	return nil
}

// addValues adds sign × o to v; funder parts and delays that fall to zero
// go.
func (v *IndicatorValues) addValues(o *IndicatorValues, sign int64) {
	f := o.Funnel
	v.AddFunnel(Funnel{Issued: sign * f.Issued, Activated: sign * f.Activated, Allocated: sign * f.Allocated,
		Distributed: sign * f.Distributed, Started: sign * f.Started, Redeemed: sign * f.Redeemed,
		Blocked: sign * f.Blocked, Expired: sign * f.Expired})
	v.PeopleReached += sign * o.PeopleReached
	v.PeopleCompleted += sign * o.PeopleCompleted
	v.Minutes += sign * o.Minutes
	v.HandedOut += sign * o.HandedOut
	v.BookedAtHandOut += sign * o.BookedAtHandOut
	v.SpentCents += sign * o.SpentCents
	for _, fc := range o.ByFunder {
		v.AddFunderCents(fc.FunderID, sign*fc.Cents)
	}
	kept := v.ByFunder[:0]
	for _, fc := range v.ByFunder {
		if fc.Cents != 0 {
			kept = append(kept, fc)
		}
	}
	v.ByFunder = kept
	if len(v.ByFunder) == 0 {
		v.ByFunder = nil
	}
	for d, n := range o.Delays {
		if v.Delays == nil {
			v.Delays = DelayHistogram{}
		}
		v.Delays[d] += sign * n
		if v.Delays[d] == 0 {
			delete(v.Delays, d)
		}
	}
	if len(v.Delays) == 0 {
		v.Delays = nil
	}
}

func (v *IndicatorValues) isZero() bool {
	return v.Funnel == (Funnel{}) && v.PeopleReached == 0 && v.PeopleCompleted == 0 && v.Minutes == 0 &&
		v.HandedOut == 0 && v.BookedAtHandOut == 0 && v.SpentCents == 0 && len(v.ByFunder) == 0 && len(v.Delays) == 0
}
