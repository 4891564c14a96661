package passnum

import (
	"context"
	"strings"
	"time"
)

// The register of rights requests. Article 12.3 of the GDPR gives the
// controller one month from receipt to answer a person who exercises a
// right (articles 15 to 21), extendable by two further months when the
// request is complex or requests are many, provided the person is told
// why within the first month. The operator's staff record every request
// with the day it came in and answer it in the register, which keeps the
// proof of both dates; a prescriber records the requests a person makes
// in front of them, for the operator to answer.

// RightsKind is the right a person exercises.
type RightsKind string

// Rights of the person.
const (
	RightAccess        RightsKind = "access"        // article 15
	RightRectification RightsKind = "rectification" // article 16
	RightErasure       RightsKind = "erasure"       // article 17
	RightRestriction   RightsKind = "restriction"   // article 18
	RightPortability   RightsKind = "portability"   // article 20
	RightObjection     RightsKind = "objection"     // article 21
)

// RightsKinds lists the rights in the order of the regulation.
var RightsKinds = []RightsKind{RightAccess, RightRectification, RightErasure, RightRestriction, RightPortability, RightObjection}

// Valid tells whether k is a known right.
func (k RightsKind) Valid() bool {
	for _, v := range RightsKinds {
		if v == k {
			return true
		}
	}
	return false
}

// Label is the right in French, with its article.
func (k RightsKind) Label() string {
	switch k {
	case RightAccess:
		return "accès (article 15)"
	case RightRectification:
		return "rectification (article 16)"
	case RightErasure:
		return "effacement (article 17)"
	case RightRestriction:
		return "limitation (article 18)"
	case RightPortability:
		return "portabilité (article 20)"
	case RightObjection:
		return "opposition (article 21)"
	}
	return string(k)
}

// RightsChannel is how a request reached the platform.
type RightsChannel string

// Channels of requests.
const (
	ChannelPost       RightsChannel = "post"       // a letter
	ChannelEmail      RightsChannel = "email"      // an e-mail
	ChannelPhone      RightsChannel = "phone"      // a call
	ChannelPrescriber RightsChannel = "prescriber" // in person, through the prescriber
	ChannelInPerson   RightsChannel = "in-person"  // in person, at the operator
)

// RightsChannels lists the channels, the most frequent first.
var RightsChannels = []RightsChannel{ChannelPost, ChannelEmail, ChannelPrescriber, ChannelInPerson, ChannelPhone}

// Valid tells whether c is a known channel.
func (c RightsChannel) Valid() bool {
	for _, v := range RightsChannels {
		if v == c {
			return true
		}
	}
	return false
}

// Label is the channel in French.
func (c RightsChannel) Label() string {
	switch c {
	case ChannelPost:
		return "courrier"
	case ChannelEmail:
		return "courriel"
	case ChannelPhone:
		return "téléphone"
	case ChannelPrescriber:
		return "sur place, par le prescripteur"
	case ChannelInPerson:
		return "sur place, auprès de l'opérateur"
	}
	return string(c)
}

// Time limits of article 12.3, in months from receipt.
const (
	RightsAnswerMonths    = 1
	RightsExtensionMonths = 2
)

// RightsDueSoonDays is how close to its due date an open request is
// shown on the operator's dashboard.
const RightsDueSoonDays = 7

// RightsRequest is one request in the register.
type RightsRequest struct {
	ID int64 `json:"id"`
	// Ref is the beneficiary's reference (B-…) when the person gave it, or
	// how they identified themselves otherwise ("lettre de Mme X du 3
	// mars"): a request is recorded even when the reference is unknown.
	Ref     string        `json:"ref"`
	Kind    RightsKind    `json:"kind"`
	Channel RightsChannel `json:"channel"`
	// Details is what the person asked, in their words or summed up.
	Details    string `json:"details,omitempty"`
	ReceivedOn string `json:"received_on"` // YYYY-MM-DD
	DueOn      string `json:"due_on"`      // YYYY-MM-DD, RightsDueDate
	// Extended is set once the time limit was extended, with the reason
	// told to the person.
	Extended        bool   `json:"extended"`
	ExtensionReason string `json:"extension_reason,omitempty"`
	AnsweredOn      string `json:"answered_on,omitempty"` // YYYY-MM-DD, "" while open
	Answer          string `json:"answer,omitempty"`
	// OrgID is the organisation that recorded the request: the operator,
	// or the prescriber in front of whom the person asked.
	OrgID      int64     `json:"org_id"`
	RecordedBy string    `json:"recorded_by"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Open tells whether the request still waits for its answer.
func (r *RightsRequest) Open() bool { return r.AnsweredOn == "" }

// DaysLeft is the number of days from today (YYYY-MM-DD) to the due date:
// 0 on the due day, negative once it has passed.
func (r *RightsRequest) DaysLeft(today string) int {
	due, err1 := time.Parse(DateLayout, r.DueOn)
	now, err2 := time.Parse(DateLayout, today)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(due.Sub(now).Hours() / 24)
}

// Overdue tells whether the request is open past its due date.
func (r *RightsRequest) Overdue(today string) bool { return r.Open() && r.DueOn < today }

// DueSoon tells whether the request is open and due within
// RightsDueSoonDays of today, or overdue.
func (r *RightsRequest) DueSoon(today string) bool {
	return r.Open() && r.DaysLeft(today) <= RightsDueSoonDays
}

// AnsweredLate tells whether the answer came after the due date.
func (r *RightsRequest) AnsweredLate() bool { return !r.Open() && r.AnsweredOn > r.DueOn }

// RightsDueDate is the last day to answer a request received on received
// (YYYY-MM-DD): the same day of the month one month later (three when
// extended), or the last day of that month when it has no such day (a
// request of 31 January is due on 28 or 29 February), as the CNIL counts
// the month of article 12.3.
func RightsDueDate(received string, extended bool) (string, error) {
	d, err := time.Parse(DateLayout, received)
	if err != nil || d.Format(DateLayout) != received {
		return "", Invalid("received_on", "Date de réception invalide : %q (AAAA-MM-JJ).", received)
	}
	months := RightsAnswerMonths
	if extended {
		months += RightsExtensionMonths
	}
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, time.UTC).Format(DateLayout), nil
}

// RightsRef is a request's reference as the register keeps it: a
// beneficiary reference typed in lower case ("b-7k3m-qx9d") in the stored
// form, so that the requests of one person are found together; any other
// text as typed.
func RightsRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if len(ref) > 2 && strings.EqualFold(ref[:2], "B-") && !strings.ContainsFunc(ref, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}) {
		return strings.ToUpper(ref)
	}
	return ref
}

// Lengths of the register's texts.
const (
	maxRightsRef     = 200
	maxRightsDetails = 2000
	maxRightsAnswer  = 4000
	maxRightsReason  = 1000
)

// RightsRequestCreate records a request received.
type RightsRequestCreate struct {
	Ref        string        `json:"ref"`
	Kind       RightsKind    `json:"kind"`
	Channel    RightsChannel `json:"channel"`
	ReceivedOn string        `json:"received_on"`
	Details    string        `json:"details,omitempty"`
}

// Validate checks a request against today (YYYY-MM-DD): it cannot have
// been received in the future.
func (c *RightsRequestCreate) Validate(today string) error {
	c.Ref = RightsRef(c.Ref)
	c.Details = strings.TrimSpace(c.Details)
	if c.Ref == "" || len([]rune(c.Ref)) > maxRightsRef {
		return Invalid("ref", "Indiquez la référence de la personne (B-…) ou, sans elle, comment elle s'est présentée (%d caractères au plus).", maxRightsRef)
	}
	if err := CheckLine("ref", c.Ref); err != nil {
		return err
	}
	if !c.Kind.Valid() {
		return Invalid("kind", "Choisissez le droit demandé : accès, rectification, effacement, limitation, portabilité ou opposition.")
	}
	if !c.Channel.Valid() {
		return Invalid("channel", "Choisissez comment la demande est arrivée : courrier, courriel, prescripteur, sur place ou téléphone.")
	}
	if _, err := RightsDueDate(c.ReceivedOn, false); err != nil {
		return err
	}
	if c.ReceivedOn > today {
		return Invalid("received_on", "La date de réception ne peut être dans le futur.")
	}
	if len([]rune(c.Details)) > maxRightsDetails {
		return Invalid("details", "La demande tient en %d caractères au plus.", maxRightsDetails)
	}
	return CheckText("details", c.Details)
}

// RightsRequestAnswer records the answer given to a request.
type RightsRequestAnswer struct {
	ID         int64  `json:"-"`
	AnsweredOn string `json:"answered_on"`
	Answer     string `json:"answer"`
}

// Validate checks an answer against today (YYYY-MM-DD).
func (a *RightsRequestAnswer) Validate(today string) error {
	a.Answer = strings.TrimSpace(a.Answer)
	if a.Answer == "" || len([]rune(a.Answer)) > maxRightsAnswer {
		return Invalid("answer", "Résumez la réponse donnée à la personne (%d caractères au plus).", maxRightsAnswer)
	}
	if err := CheckText("answer", a.Answer); err != nil {
		return err
	}
	if d, err := time.Parse(DateLayout, a.AnsweredOn); err != nil || d.Format(DateLayout) != a.AnsweredOn {
		return Invalid("answered_on", "Date de réponse invalide : %q (AAAA-MM-JJ).", a.AnsweredOn)
	}
	if a.AnsweredOn > today {
		return Invalid("answered_on", "La date de réponse ne peut être dans le futur.")
	}
	return nil
}

// RightsRequestExtension extends the time limit of a request by two
// months (article 12.3), with the reason told to the person.
type RightsRequestExtension struct {
	ID     int64  `json:"-"`
	Reason string `json:"reason"`
}

// Validate checks the extension's reason.
func (e *RightsRequestExtension) Validate() error {
	e.Reason = strings.TrimSpace(e.Reason)
	if e.Reason == "" || len([]rune(e.Reason)) > maxRightsReason {
		return Invalid("reason", "Donnez la raison de la prolongation, telle qu'elle est dite à la personne (%d caractères au plus).", maxRightsReason)
	}
	return CheckText("reason", e.Reason)
}

// RightsRequestFilter selects requests of the register.
type RightsRequestFilter struct {
	// Open keeps only the requests not yet answered.
	Open bool
	// DueBy keeps the requests due on or before this day (YYYY-MM-DD).
	DueBy string
	// Ref keeps the requests of one reference (RightsRef).
	Ref    string
	Offset int
	Limit  int
}

// RightsRequestService keeps the register of rights requests: the
// operator's staff record, extend and answer requests and read the
// register; a prescriber records the requests made in front of it.
type RightsRequestService interface {
	RecordRightsRequest(ctx context.Context, c RightsRequestCreate) (*RightsRequest, error)
	// ExtendRightsRequest moves the due date to three months after
	// receipt, once, before the first month has passed.
	ExtendRightsRequest(ctx context.Context, e RightsRequestExtension) (*RightsRequest, error)
	AnswerRightsRequest(ctx context.Context, a RightsRequestAnswer) (*RightsRequest, error)
	FindRightsRequest(ctx context.Context, id int64) (*RightsRequest, error)
	// ListRightsRequests lists requests, open ones first by due date,
	// then answered ones, latest first.
	ListRightsRequests(ctx context.Context, f RightsRequestFilter) ([]*RightsRequest, int, error)
}
