package sqlstore_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/sqlstore"
	st "github.com/passnum/passnum/internal/storetest"
)

// The register of rights requests on both stores: due dates, extension,
// answer, what each role may do, and bad input that changes nothing.
func TestRightsRequests(t *testing.T) {
	st.Each(t, func(t *testing.T, env *st.Env) {
		f := st.NewFixture(t, env, st.Options{})
		s, op := env.Store, st.As(f.Operator)
		// The clock reads 2027-03-15.
		audits := func() int {
			t.Helper()
			n, err := sqlstore.QueryStrings(s, `SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action LIKE 'rights-requests.%'`)
			if err != nil {
				t.Fatal(err)
			}
			v, err := strconv.Atoi(n[0])
			if err != nil {
				t.Fatal(err)
			}
			return v
		}

		letter, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-0000-0001", Kind: passnum.RightErasure,
			Channel: passnum.ChannelPost, ReceivedOn: "2027-01-31", Details: "Effacer tout ce qui me concerne."})
		if err != nil {
			t.Fatal(err)
		}
		if letter.DueOn != "2027-02-28" || !letter.Open() || letter.Extended || letter.OrgID != f.Operator.OrgID || letter.RecordedBy != f.Operator.Label {
			t.Errorf("letter recorded as %+v, want due 2027-02-28, open, by the operator", letter)
		}
		// The person in front of the prescriber: the channel is the
		// prescriber's, received today, whatever the request said.
		presc := st.As(st.Actor(f.Prescriber, passnum.RoleAgent))
		asked, err := s.RecordRightsRequest(presc, passnum.RightsRequestCreate{Ref: "une personne sans sa référence", Kind: passnum.RightAccess, Channel: passnum.ChannelEmail})
		if err != nil {
			t.Fatal(err)
		}
		if asked.Channel != passnum.ChannelPrescriber || asked.ReceivedOn != "2027-03-15" || asked.DueOn != "2027-04-15" || asked.OrgID != f.Prescriber.ID {
			t.Errorf("request at the prescriber recorded as %+v", asked)
		}
		mail, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-0000-0002", Kind: passnum.RightRectification,
			Channel: passnum.ChannelEmail, ReceivedOn: "2027-03-10"})
		if err != nil {
			t.Fatal(err)
		}
		if got := audits(); got != 3 {
			t.Errorf("%d audit entries after three requests, want 3", got)
		}

		// Open requests come first, soonest due first.
		list, total, err := s.ListRightsRequests(op, passnum.RightsRequestFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if ids := requestIDs(list); total != 3 || !slices.Equal(ids, []int64{letter.ID, mail.ID, asked.ID}) {
			t.Errorf("register: %v (total %d), want %d %d %d", ids, total, letter.ID, mail.ID, asked.ID)
		}
		// The requests of one person, their reference typed in lower case.
		mine, total, err := s.ListRightsRequests(op, passnum.RightsRequestFilter{Ref: " b-0000-0001"})
		if err != nil || total != 1 || !slices.Equal(requestIDs(mine), []int64{letter.ID}) {
			t.Errorf("requests of B-0000-0001: %v (total %d), %v; want %d", requestIDs(mine), total, err, letter.ID)
		}
		// Due within a week of today, or overdue: what the dashboard shows.
		soon, _, err := s.ListRightsRequests(op, passnum.RightsRequestFilter{Open: true, DueBy: "2027-03-22"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(requestIDs(soon), []int64{letter.ID}) || !soon[0].Overdue("2027-03-15") {
			t.Errorf("due by 2027-03-22: %v, want the overdue letter %d", requestIDs(soon), letter.ID)
		}

		// Extension: once, within the first month.
		if _, err := s.ExtendRightsRequest(op, passnum.RightsRequestExtension{ID: letter.ID, Reason: "Demande complexe"}); passnum.ErrorReason(err) != passnum.ReasonRightsRequestExtension {
			t.Errorf("extending an overdue request: %v, want %s", err, passnum.ReasonRightsRequestExtension)
		}
		ext, err := s.ExtendRightsRequest(op, passnum.RightsRequestExtension{ID: mail.ID, Reason: "Plusieurs carnets à retrouver"})
		if err != nil {
			t.Fatal(err)
		}
		if !ext.Extended || ext.DueOn != "2027-06-10" || ext.ExtensionReason != "Plusieurs carnets à retrouver" {
			t.Errorf("extended: %+v, want due 2027-06-10 with its reason", ext)
		}
		if _, err := s.ExtendRightsRequest(op, passnum.RightsRequestExtension{ID: mail.ID, Reason: "encore"}); passnum.ErrorReason(err) != passnum.ReasonRightsRequestExtension {
			t.Errorf("second extension: %v, want %s", err, passnum.ReasonRightsRequestExtension)
		}

		// Answer, late: the register keeps both dates.
		env.Clock.Advance(24 * time.Hour)
		ans, err := s.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: letter.ID, Answer: "Données effacées ; les pass utilisés restent dans les comptes sans lien avec vous."})
		if err != nil {
			t.Fatal(err)
		}
		if ans.AnsweredOn != "2027-03-16" || !ans.AnsweredLate() || ans.AnsweredBy != f.Operator.Label || ans.Open() {
			t.Errorf("answered: %+v, want answered late on 2027-03-16", ans)
		}
		if _, err := s.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: letter.ID, Answer: "Autre réponse"}); passnum.ErrorReason(err) != passnum.ReasonRightsRequestAnswered {
			t.Errorf("answering twice: %v, want %s", err, passnum.ReasonRightsRequestAnswered)
		}
		found, err := s.FindRightsRequest(op, letter.ID)
		if err != nil || found.Answer != ans.Answer || found.DueOn != "2027-02-28" {
			t.Errorf("found %+v, %v, want the first answer kept", found, err)
		}
		open, total, err := s.ListRightsRequests(op, passnum.RightsRequestFilter{Open: true})
		if err != nil || total != 2 || !slices.Equal(requestIDs(open), []int64{asked.ID, mail.ID}) {
			t.Errorf("open requests: %v (total %d), %v; want %d %d", requestIDs(open), total, err, asked.ID, mail.ID)
		}
		before := audits()

		// Bad input and roles: refused, nothing recorded.
		agent := st.As(st.Actor(f.Venue, passnum.RoleAdmin))
		for _, tc := range []struct {
			name string
			do   func() error
			code string
		}{
			{"unknown kind", func() error {
				_, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-1", Kind: "oubli", Channel: passnum.ChannelPost})
				return err
			}, passnum.EINVALID},
			{"received tomorrow", func() error {
				_, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Ref: "B-1", Kind: passnum.RightAccess, Channel: passnum.ChannelPost, ReceivedOn: "2027-03-17"})
				return err
			}, passnum.EINVALID},
			{"no reference", func() error {
				_, err := s.RecordRightsRequest(op, passnum.RightsRequestCreate{Kind: passnum.RightAccess, Channel: passnum.ChannelPost})
				return err
			}, passnum.EINVALID},
			{"answer before the request", func() error {
				_, err := s.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: mail.ID, AnsweredOn: "2027-03-09", Answer: "Corrigé."})
				return err
			}, passnum.EINVALID},
			{"empty answer", func() error {
				_, err := s.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: mail.ID, Answer: " "})
				return err
			}, passnum.EINVALID},
			{"extension without reason", func() error {
				_, err := s.ExtendRightsRequest(op, passnum.RightsRequestExtension{ID: asked.ID})
				return err
			}, passnum.EINVALID},
			{"unknown request", func() error {
				_, err := s.AnswerRightsRequest(op, passnum.RightsRequestAnswer{ID: 999999, Answer: "Corrigé."})
				return err
			}, passnum.ENOTFOUND},
			{"a venue records", func() error {
				_, err := s.RecordRightsRequest(agent, passnum.RightsRequestCreate{Ref: "B-1", Kind: passnum.RightAccess, Channel: passnum.ChannelPost})
				return err
			}, passnum.EFORBIDDEN},
			{"a prescriber answers", func() error {
				_, err := s.AnswerRightsRequest(presc, passnum.RightsRequestAnswer{ID: asked.ID, Answer: "Voici vos données."})
				return err
			}, passnum.EFORBIDDEN},
			{"a prescriber reads the register", func() error {
				_, _, err := s.ListRightsRequests(presc, passnum.RightsRequestFilter{})
				return err
			}, passnum.EFORBIDDEN},
			{"a funder reads a request", func() error {
				_, err := s.FindRightsRequest(st.As(st.Actor(f.State, passnum.RoleAdmin)), asked.ID)
				return err
			}, passnum.EFORBIDDEN},
			{"bad due date filter", func() error {
				_, _, err := s.ListRightsRequests(op, passnum.RightsRequestFilter{DueBy: "demain"})
				return err
			}, passnum.EINVALID},
		} {
			if err := tc.do(); passnum.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if _, total, _ := s.ListRightsRequests(op, passnum.RightsRequestFilter{}); total != 3 {
			t.Errorf("%d requests after refusals, want 3", total)
		}
		again, _ := s.FindRightsRequest(op, mail.ID)
		if again == nil || !again.Open() || again.DueOn != "2027-06-10" {
			t.Errorf("request %d after refusals: %+v, want unchanged", mail.ID, again)
		}
		if got := audits(); got != before {
			t.Errorf("%d audit entries after refusals, want %d", got, before)
		}
		st.MustCheck(t, env, f.Operator)
	})
}

func requestIDs(list []*passnum.RightsRequest) []int64 {
	ids := make([]int64, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return ids
}
