package passnum

import (
	"fmt"
	"strings"
	"time"
)

// PassState is where a pass is in its life:
//
//	issued → activated → allocated → distributed → redeemed (→ settled, later)
//
// with side exits blocked (lost, stolen, stock frozen; reversible) and
// expired (past validity and tolerance; final).
type PassState string

// Pass states.
const (
	StateIssued      PassState = "issued"
	StateActivated   PassState = "activated"
	StateAllocated   PassState = "allocated"
	StateDistributed PassState = "distributed"
	StateRedeemed    PassState = "redeemed"
	StateSettled     PassState = "settled"
	StateBlocked     PassState = "blocked"
	StateExpired     PassState = "expired"
)

// PassStates lists the states in funnel order.
var PassStates = []PassState{StateIssued, StateActivated, StateAllocated, StateDistributed, StateRedeemed, StateSettled, StateBlocked, StateExpired}

// Label is the French name of a state.
func (s PassState) Label() string {
	switch s {
	case StateIssued:
		return "émis"
	case StateActivated:
		return "activé"
	case StateAllocated:
		return "attribué à un prescripteur"
	case StateDistributed:
		return "remis à un bénéficiaire"
	case StateRedeemed:
		return "encaissé"
	case StateSettled:
		return "remboursé"
	case StateBlocked:
		return "bloqué"
	case StateExpired:
		return "expiré"
	}
	return string(s)
}

// Live tells whether a pass in this state still holds value that can be
// spent once the pass reaches a beneficiary.
func (s PassState) Live() bool {
	return s == StateActivated || s == StateAllocated || s == StateDistributed
}

// Batch is one issuance: N carnets of a programme.
type Batch struct {
	ID          int64     `json:"id"`
	ProgrammeID int64     `json:"programme_id"`
	Carnets     int       `json:"carnets"`
	Passes      int       `json:"passes"`
	FirstCarnet int64     `json:"first_carnet"`
	LastCarnet  int64     `json:"last_carnet"`
	FirstSerial int64     `json:"first_serial"`
	LastSerial  int64     `json:"last_serial"`
	KeyID       string    `json:"key_id"`
	CreatedAt   time.Time `json:"created_at"`
}

// IssueRequest is the input of Issue.
type IssueRequest struct {
	ProgrammeID int64 `json:"programme_id"`
	Carnets     int   `json:"carnets"`
	// Progress, when set, is called as passes are written.
	Progress func(done, total int) `json:"-"`
}

// MaxBatchCarnets bounds one issuance (10 million passes of carnets of 10).
const MaxBatchCarnets = 1_000_000

// ActivateRequest activates the passes of a batch or of a range of carnet
// numbers, within the funds received.
type ActivateRequest struct {
	ProgrammeID int64 `json:"programme_id"`
	BatchID     int64 `json:"batch_id,omitempty"`
	FirstCarnet int64 `json:"first_carnet,omitempty"`
	LastCarnet  int64 `json:"last_carnet,omitempty"`
}

// Carnet is a booklet of passes.
type Carnet struct {
	Number        int64 `json:"number"`
	ProgrammeID   int64 `json:"programme_id"`
	BatchID       int64 `json:"batch_id"`
	Size          int   `json:"size"`
	PrescriberID  int64 `json:"prescriber_id,omitempty"`
	BeneficiaryID int64 `json:"beneficiary_id,omitempty" personal:"carnet.holder"`
	// BeneficiaryRef is filled for those who may read beneficiaries (the
	// operator, the prescriber who handed the carnet out).
	BeneficiaryRef string     `json:"beneficiary_ref,omitempty" personal:"carnet.holder"`
	AllocatedAt    *time.Time `json:"allocated_at,omitempty"`
	DistributedAt  *time.Time `json:"distributed_at,omitempty"`
	ValidUntil     string     `json:"valid_until"`
	Passes         []Pass     `json:"passes,omitempty"`
	// Remaining counts passes that can still be spent.
	Remaining int `json:"remaining"`
}

// Pass is one voucher. Its code is secret: it is returned only to the
// operator's export and never listed elsewhere.
type Pass struct {
	Serial      int64      `json:"serial"`
	CarnetNo    int64      `json:"carnet"`
	ProgrammeID int64      `json:"programme_id"`
	State       PassState  `json:"state"`
	RedeemedAt  *time.Time `json:"redeemed_at,omitempty"`
	VenueID     int64      `json:"venue_id,omitempty"`
}

// FormatSerial renders a serial as printed on a pass.
func FormatSerial(serial int64) string { return fmt.Sprintf("%010d", serial) }

// AllocateRequest hands carnets to a prescriber, by range or list.
type AllocateRequest struct {
	PrescriberID int64   `json:"prescriber_id"`
	FirstCarnet  int64   `json:"first_carnet,omitempty"`
	LastCarnet   int64   `json:"last_carnet,omitempty"`
	Carnets      []int64 `json:"carnets,omitempty"`
}

// Numbers returns the carnet numbers asked for.
func (r *AllocateRequest) Numbers() ([]int64, error) {
	if len(r.Carnets) > 0 && (r.FirstCarnet != 0 || r.LastCarnet != 0) {
		return nil, Invalid("carnets", "Donnez soit une plage de carnets, soit une liste, pas les deux.")
	}
	if len(r.Carnets) > 0 {
		if len(r.Carnets) > 100000 {
			return nil, Invalid("carnets", "100 000 carnets au plus par attribution.")
		}
		return r.Carnets, nil
	}
	if r.FirstCarnet <= 0 || r.LastCarnet < r.FirstCarnet {
		return nil, Invalid("first_carnet", "Plage de carnets invalide : du n° %d au n° %d.", r.FirstCarnet, r.LastCarnet)
	}
	if r.LastCarnet-r.FirstCarnet >= 100000 {
		return nil, Invalid("last_carnet", "100 000 carnets au plus par attribution.")
	}
	out := make([]int64, 0, r.LastCarnet-r.FirstCarnet+1)
	for n := r.FirstCarnet; n <= r.LastCarnet; n++ {
		out = append(out, n)
	}
	return out, nil
}

// Age bands for people who would rather not give a birth year.
var AgeBands = []string{"16-25", "26-44", "45-59", "60-74", "75+"}

// Needs a prescriber can record in the diagnostic, aligned on the service
// categories of the national standard.
var Needs = ServiceCategories

// Beneficiary is a person holding passes, pseudonymous: no name, only what
// the programme needs to count who it reached.
type Beneficiary struct {
	ID           int64     `json:"id"`
	Ref          string    `json:"ref" personal:"beneficiary.ref"` // pseudonymous reference the prescriber notes to find the person again
	BirthYear    int       `json:"birth_year,omitempty" personal:"beneficiary.birth_year"`
	AgeBand      string    `json:"age_band,omitempty" personal:"beneficiary.age_band"`
	CommuneINSEE string    `json:"commune_insee" personal:"beneficiary.commune"`
	Needs        []string  `json:"needs" personal:"beneficiary.needs"`
	Autonomy     string    `json:"autonomy,omitempty" personal:"beneficiary.autonomy"`
	ConsentAt    string    `json:"consent_at" personal:"beneficiary.consent"`
	PrescriberID int64     `json:"prescriber_id" personal:"beneficiary.prescriber"`
	CreatedAt    time.Time `json:"created_at"`
	// RestrictedAt is set while the person has the use of their record
	// restricted (article 18), with the reason they gave.
	RestrictedAt      *time.Time `json:"restricted_at,omitempty" personal:"beneficiary.restriction"`
	RestrictionReason string     `json:"restriction_reason,omitempty" personal:"beneficiary.restriction"`
}

// Autonomy levels of the diagnostic.
var AutonomyLevels = []string{"aucune", "faible", "moyenne", "bonne"}

// BeneficiaryInput describes a new beneficiary at distribution.
type BeneficiaryInput struct {
	BirthYear    int      `json:"birth_year,omitempty"`
	AgeBand      string   `json:"age_band,omitempty"`
	CommuneINSEE string   `json:"commune_insee"`
	Needs        []string `json:"needs"`
	Autonomy     string   `json:"autonomy,omitempty"`
	ConsentAt    string   `json:"consent_at"` // YYYY-MM-DD
}

// Validate checks a new beneficiary; now bounds the birth year.
func (b *BeneficiaryInput) Validate(now time.Time) error {
	if err := CheckStrings(b); err != nil {
		return err
	}
	b.CommuneINSEE = strings.ToUpper(strings.TrimSpace(b.CommuneINSEE))
	switch {
	case b.BirthYear == 0 && b.AgeBand == "":
		return Invalid("birth_year", "Indiquez l'année de naissance ou la tranche d'âge.")
	case b.BirthYear != 0 && b.AgeBand != "":
		return Invalid("age_band", "Indiquez l'année de naissance ou la tranche d'âge, pas les deux.")
	case b.BirthYear != 0 && (b.BirthYear < now.Year()-120 || b.BirthYear > now.Year()-12):
		return Invalid("birth_year", "Année de naissance invalide : %d.", b.BirthYear)
	case b.AgeBand != "" && !contains(AgeBands, b.AgeBand):
		return Invalid("age_band", "Tranche d'âge inconnue : %q (%s).", b.AgeBand, strings.Join(AgeBands, ", "))
	}
	if err := ValidateCommune(b.CommuneINSEE); err != nil {
		return err
	}
	for _, n := range b.Needs {
		if !contains(Needs, n) {
			return Invalid("needs", "Besoin inconnu : %q.", n)
		}
	}
	if b.Autonomy != "" && !contains(AutonomyLevels, b.Autonomy) {
		return Invalid("autonomy", "Niveau d'autonomie inconnu : %q (%s).", b.Autonomy, strings.Join(AutonomyLevels, ", "))
	}
	consent, err := time.Parse(DateLayout, b.ConsentAt)
	if err != nil {
		return Invalid("consent_at", "Date du consentement obligatoire (AAAA-MM-JJ) : la personne doit avoir accepté le traitement de ses données.")
	}
	if consent.After(now.Add(24 * time.Hour)) {
		return Invalid("consent_at", "La date du consentement est dans le futur.")
	}
	return nil
}

// DistributeRequest hands a carnet to a beneficiary: a new one, or one the
// prescriber already knows by its reference.
type DistributeRequest struct {
	Carnet         int64             `json:"carnet"`
	BeneficiaryRef string            `json:"beneficiary_ref,omitempty"`
	Beneficiary    *BeneficiaryInput `json:"beneficiary,omitempty"`
}

// Distribution is the outcome of Distribute.
type Distribution struct {
	Carnet      *Carnet      `json:"carnet"`
	Beneficiary *Beneficiary `json:"beneficiary"`
}

// BlockScope says what a block covers.
type BlockScope string

// Block scopes.
const (
	BlockPass   BlockScope = "pass"
	BlockCarnet BlockScope = "carnet"
	BlockStock  BlockScope = "stock" // all undistributed passes of a programme
)

// BlockRequest blocks (or, with Unblock, restores) passes.
type BlockRequest struct {
	Scope       BlockScope `json:"scope"`
	Serial      int64      `json:"serial,omitempty"`
	Carnet      int64      `json:"carnet,omitempty"`
	ProgrammeID int64      `json:"programme_id,omitempty"`
	Reason      string     `json:"reason"`
	Unblock     bool       `json:"unblock,omitempty"`
}

// Validate checks a block request.
func (r *BlockRequest) Validate() error {
	if err := CheckStrings(r); err != nil {
		return err
	}
	r.Reason = strings.TrimSpace(r.Reason)
	switch r.Scope {
	case BlockPass:
		if r.Serial <= 0 {
			return Invalid("serial", "Indiquez le numéro de série du pass.")
		}
	case BlockCarnet:
		if r.Carnet <= 0 {
			return Invalid("carnet", "Indiquez le numéro du carnet.")
		}
	case BlockStock:
		if r.ProgrammeID <= 0 {
			return Invalid("programme_id", "Indiquez le programme.")
		}
	default:
		return Invalid("scope", "Portée inconnue : %q (pass, carnet ou stock).", r.Scope)
	}
	if r.Reason == "" || len(r.Reason) > 500 {
		return Invalid("reason", "Le motif est obligatoire (perte, vol, fin de distribution…).")
	}
	return nil
}

// ExpireResult reports an expiry run.
type ExpireResult struct {
	Passes     int64   `json:"passes"`
	Programmes []int64 `json:"programmes"`
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
