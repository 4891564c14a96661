package passnum

import (
	"reflect"
	"testing"
	"time"
)

// TestCarnetRecordRoundTrip: what a snapshot keeps of a carnet reads back
// as the same facts, so that taking a person off a row takes off what
// they added.
func TestCarnetRecordRoundTrip(t *testing.T) {
	at := func(s string) time.Time { t0, _ := ParseTime(s); return t0 }
	act := at("2027-03-01T09:00:00.123456Z")
	for _, tc := range []struct {
		name string
		r    CarnetRecord
	}{
		{"handed to nobody, not allocated", CarnetRecord{Carnet: CarnetFact{Number: 7, ProgrammeID: 1, BatchID: 2,
			Passes: []PassFact{{State: StateIssued}, {State: StateIssued}}}, BatchDate: at("2027-01-01T00:00:00.000000Z")}},
		{"held by a prescriber", CarnetRecord{Carnet: CarnetFact{Number: 8, ProgrammeID: 1, BatchID: 2, PrescriberID: 5,
			AllocatedAt: at("2027-02-01T10:00:00.000001Z"), Passes: []PassFact{{State: StateAllocated, ActivatedAt: act}, {State: StateBlocked, ActivatedAt: act}}},
			BatchDate: at("2027-01-01T00:00:00.000000Z"), PrescriberCommune: "2A004"}},
		{"a person's, used and settled", CarnetRecord{Person: PersonFacts{ID: 123456789, Commune: "35238", AgeBand: "75+"},
			Carnet: CarnetFact{Number: 9, ProgrammeID: 3, BatchID: 4, PrescriberID: 5, AllocatedAt: act, DistributedAt: act.Add(time.Hour),
				BookedAtHandOut: true, Passes: []PassFact{
					{State: StateRedeemed, ActivatedAt: act, VenueID: 11, RedeemedAt: act.Add(48 * time.Hour), ServiceID: 12},
					{State: StateSettled, ActivatedAt: act, VenueID: 11, RedeemedAt: act.Add(49 * time.Hour), ServiceID: 13},
					{State: StateDistributed, ActivatedAt: act.Add(time.Second)},
					{State: StateExpired}}},
			BatchDate: act, PrescriberCommune: "29019"}},
		{"an unknown state", CarnetRecord{Carnet: CarnetFact{Number: 10, Passes: []PassFact{{State: "lost"}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := tc.r.Encode()
			got, err := DecodeCarnetRecord(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.r) {
				t.Fatalf("%s:\n got  %+v\n want %+v", enc, got, tc.r)
			}
			if Digest(enc) != Digest(got.Encode()) {
				t.Fatal("digest differs after a round trip")
			}
		})
	}
	for _, bad := range []string{"", "2|", "1|x|", "1||||7|1|2||||||d,,,", "1||||!|1|2||||||"} {
		if _, err := DecodeCarnetRecord(bad); err == nil {
			t.Errorf("%q: decoded", bad)
		}
	}
}
