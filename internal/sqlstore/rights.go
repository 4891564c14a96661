package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

// The rights of the person over a beneficiary record (articles 15 to 21):
// access, rectification, restriction and erasure. The operator's staff act
// on any record, the prescriber that created a record on its own; whoever
// else asks, and whoever asks about a reference that does not exist (or no
// longer does, once erased), receives the same "not found", so that the
// answer tells nothing of who holds passes.

// unknownBeneficiary is the one answer about a reference the actor may not
// act on: unknown, erased, or another prescriber's.
func unknownBeneficiary(ref string) error {
	return &passnum.Error{Code: passnum.ENOTFOUND, Reason: passnum.ReasonBeneficiaryUnknown, Field: "ref",
		Message: fmt.Sprintf("Aucun bénéficiaire de votre structure n'a la référence %s.", ref)}
}

// restrictedError refuses to use a record whose person restricted it.
func restrictedError(field, ref string) error {
	return &passnum.Error{Code: passnum.EREFUSED, Reason: passnum.ReasonBeneficiaryRestricted, Field: field,
		Message: fmt.Sprintf("La personne %s a demandé la limitation du traitement de ses données : elle ne peut pas recevoir de carnet ni être inscrite tant que la limitation dure.", ref)}
}

// restrictedOut reads a column of beneficiaries b for exports and figures,
// or empty when the person restricted their record: restricted details
// stay stored but leave everything that goes out (article 18).
func restrictedOut(column, empty string) string {
	return `CASE WHEN b.restricted_at IS NULL THEN COALESCE(` + column + `, ` + empty + `) ELSE ` + empty + ` END`
}

// normalRef is a reference as people type it, in the stored form.
func normalRef(ref string) string { return strings.ToUpper(strings.TrimSpace(ref)) }

// rightsSubject reads the live record of ref for an actor who may act on
// it, or unknownBeneficiary.
func (t *tx) rightsSubject(a *passnum.Actor, ref string) (*passnum.Beneficiary, error) {
	b, err := scanBeneficiary(t.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE ref = ? AND erased_at IS NULL`, ref))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !a.IsOperator() && b.PrescriberID != a.OrgID {
		return nil, unknownBeneficiary(ref)
	}
	return b, err
}

// rightsTarget authorises action and checks the reference's shape before
// any read, so that a malformed reference and an unknown one answer alike.
func rightsTarget(ctx context.Context, action passnum.Action, ref string) (*passnum.Actor, string, error) {
	a := passnum.ActorFromContext(ctx)
	if err := passnum.Authorize(a, action); err != nil {
		return nil, "", err
	}
	ref = normalRef(ref)
	if err := passnum.CheckLine("ref", ref); err != nil {
		return nil, "", err
	}
	return a, ref, nil
}

// PersonalData gathers everything stored about a beneficiary reference
// (articles 15 and 20). What the actor's kind does not read by the
// declaration of privacy.go is left out: a prescriber receives the
// person's details, carnets and registrations, not the uses of passes at
// venues nor the advisers' reports, which the operator gives.
func (s *Store) PersonalData(ctx context.Context, ref string) (*passnum.PersonalData, error) {
	a, ref, err := rightsTarget(ctx, passnum.ActPersonalDataRead, ref)
	if err != nil {
		return nil, err
	}
	reads := func(key string) bool {
		f := passnum.FindPersonalField(key)
		return f != nil && f.ReadableBy(a.OrgKind)
	}
	var out *passnum.PersonalData
	err = s.read(ctx, func(tx *tx) error {
		b, err := tx.rightsSubject(a, ref)
		if err != nil {
			return err
		}
		d := &passnum.PersonalData{Beneficiary: b, Carnets: []passnum.PersonalCarnet{}, PassUses: []passnum.PersonalPassUse{},
			Workshops: []passnum.PersonalWorkshop{}, Activities: []passnum.PersonalActivity{}, GeneratedAt: tx.now}
		if err := tx.get(&d.Prescriber, `SELECT name FROM organisations WHERE id = ?`, b.PrescriberID); err != nil {
			return fmt.Errorf("prescriber %d: %w", b.PrescriberID, err)
		}
		if d.Carnets, err = tx.personalCarnets(b.ID); err != nil {
			return fmt.Errorf("carnets: %w", err)
		}
		if reads("pass.use") {
			if d.PassUses, err = tx.personalPassUses(b.ID); err != nil {
				return fmt.Errorf("pass uses: %w", err)
			}
		}
		if reads("registration.person") {
			if d.Workshops, err = tx.personalWorkshops(b.Ref); err != nil {
				return fmt.Errorf("workshops: %w", err)
			}
		}
		if reads("activity.people") {
			if d.Activities, err = tx.personalActivities(b.Ref, reads("activity.notes")); err != nil {
				return fmt.Errorf("activities: %w", err)
			}
		}
		d.Fields = personalFieldsTold(s.privacy)
		out = d
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "personal data of %s", ref)
	}
	if err := s.journalPersonalData(ctx, a, out); err != nil {
		return nil, err
	}
	return out, nil
}

// personalFieldsTold is the declaration of what is held about a
// beneficiary, with the installation's periods, as told to the person.
func personalFieldsTold(p passnum.PrivacySettings) []passnum.PersonalFieldStored {
	var out []passnum.PersonalFieldStored
	for _, f := range passnum.PersonalFields {
		if f.Subject != passnum.SubjectBeneficiary {
			continue
		}
		told := passnum.PersonalFieldStored{Label: f.Label, Purpose: f.Purpose, Retention: p.PeriodLabel(f.Retention)}
		if pu := passnum.FindPurpose(f.Purpose); pu != nil {
			told.Purpose, told.Basis = pu.Label, pu.Basis.Label()
		}
		if r := passnum.FindRetentionRule(f.Retention); r != nil && p.Months(f.Retention) > 0 {
			told.Retention += " après " + r.Start
		}
		out = append(out, told)
	}
	return out
}

func (t *tx) personalCarnets(beneficiaryID int64) ([]passnum.PersonalCarnet, error) {
	out := []passnum.PersonalCarnet{}
	rows, err := selectAll(t, func(sc scanner) (passnum.PersonalCarnet, error) {
		var c passnum.PersonalCarnet
		var distributed sql.NullString
		if err := sc.Scan(&c.Number, &c.Programme, &distributed, &c.ValidUntil, &c.Passes, &c.Remaining); err != nil {
			return c, err
		}
		in := instants{table: "carnets", id: c.Number}
		c.DistributedAt = in.optional("distributed_at", distributed)
		return c, in.err
	}, `SELECT c.number, p.name, c.distributed_at, p.valid_until, c.size,
			(SELECT COUNT(*) FROM passes s WHERE s.serial BETWEEN c.first_serial AND c.first_serial + c.size - 1 AND s.state = 'distributed')
		FROM carnets c JOIN programmes p ON p.id = c.programme_id
		WHERE c.beneficiary_id = ? ORDER BY c.number`, beneficiaryID)
	return append(out, rows...), err
}

func (t *tx) personalPassUses(beneficiaryID int64) ([]passnum.PersonalPassUse, error) {
	out := []passnum.PersonalPassUse{}
	rows, err := selectAll(t, func(sc scanner) (passnum.PersonalPassUse, error) {
		var u passnum.PersonalPassUse
		var id int64
		var at string
		if err := sc.Scan(&id, &at, &u.Venue, &u.Service, &u.Passes); err != nil {
			return u, err
		}
		in := instants{table: "redemptions", id: id}
		u.Date = in.at("created_at", at)
		return u, in.err
	}, `SELECT r.id, r.created_at, o.name, COALESCE(cs.title, ''), COUNT(*)
		FROM carnets c
		JOIN redemption_passes rp ON rp.serial BETWEEN c.first_serial AND c.first_serial + c.size - 1 AND rp.voided = 0
		JOIN redemptions r ON r.id = rp.redemption_id
		JOIN organisations o ON o.id = r.venue_id
		LEFT JOIN catalogue_services cs ON cs.id = r.service_id
		WHERE c.beneficiary_id = ?
		GROUP BY r.id, r.created_at, o.name, cs.title
		ORDER BY r.created_at, r.id`, beneficiaryID)
	return append(out, rows...), err
}

func (t *tx) personalWorkshops(ref string) ([]passnum.PersonalWorkshop, error) {
	out := []passnum.PersonalWorkshop{}
	rows, err := selectAll(t, func(sc scanner) (passnum.PersonalWorkshop, error) {
		var w passnum.PersonalWorkshop
		var id int64
		var starts string
		var cancelled sql.NullString
		var attended sql.NullBool
		if err := sc.Scan(&id, &starts, &w.Venue, &w.Service, &cancelled, &attended); err != nil {
			return w, err
		}
		in := instants{table: "workshop_sessions", id: id}
		w.StartsAt = in.at("starts_at", starts)
		w.Cancelled = cancelled.Valid
		if attended.Valid {
			w.Attended = &attended.Bool
		}
		return w, in.err
	}, `SELECT w.id, w.starts_at, o.name, cs.title, COALESCE(r.cancelled_at, w.cancelled_at), r.attended
		FROM workshop_registrations r
		JOIN workshop_sessions w ON w.id = r.session_id
		JOIN organisations o ON o.id = w.venue_id
		JOIN catalogue_services cs ON cs.id = w.service_id
		WHERE r.beneficiary_ref = ?
		ORDER BY w.starts_at, r.id`, ref)
	return append(out, rows...), err
}

func (t *tx) personalActivities(ref string, notes bool) ([]passnum.PersonalActivity, error) {
	out := []passnum.PersonalActivity{}
	rows, err := selectAll(t, func(sc scanner) (passnum.PersonalActivity, error) {
		var a passnum.PersonalActivity
		var themes string
		if err := sc.Scan(&a.Date, &a.Venue, &themes, &a.Notes); err != nil {
			return a, err
		}
		a.Themes = splitList(themes)
		if !notes {
			a.Notes = ""
		}
		return a, nil
	}, `SELECT a.report_date, o.name, a.themes, a.notes
		FROM activity_report_people p
		JOIN activity_reports a ON a.id = p.report_id
		JOIN organisations o ON o.id = a.venue_id
		WHERE p.beneficiary_ref = ?
		ORDER BY a.report_date, a.id`, ref)
	return append(out, rows...), err
}

// RectifyBeneficiary corrects a beneficiary's details (article 16). The
// audit trail names the fields corrected and the reason, never their old
// or new values, which are personal data the trail cannot erase.
func (s *Store) RectifyBeneficiary(ctx context.Context, r passnum.Rectification) (*passnum.Beneficiary, error) {
	a, ref, err := rightsTarget(ctx, passnum.ActBeneficiaryRectify, r.Ref)
	if err != nil {
		return nil, err
	}
	if err := passnum.CheckStrings(&r); err != nil {
		return nil, err
	}
	r.Reason = strings.TrimSpace(r.Reason)
	if r.Reason == "" {
		return nil, passnum.Invalid("reason", "Dites pourquoi les données sont corrigées (par exemple : « demande de la personne du 3 décembre »).")
	}
	var out *passnum.Beneficiary
	err = s.write(ctx, "rectify beneficiary", func(tx *tx) error {
		b, err := tx.rightsSubject(a, ref)
		if err != nil {
			return err
		}
		in := passnum.BeneficiaryInput{BirthYear: b.BirthYear, AgeBand: b.AgeBand, CommuneINSEE: b.CommuneINSEE, Needs: b.Needs,
			Autonomy: b.Autonomy, ConsentAt: b.ConsentAt}
		var fields []string
		if r.BirthYear != nil && *r.BirthYear != b.BirthYear {
			in.BirthYear, in.AgeBand = *r.BirthYear, ""
			fields = append(fields, "birth_year")
		}
		if r.AgeBand != nil && *r.AgeBand != b.AgeBand {
			in.AgeBand = *r.AgeBand
			if in.AgeBand != "" {
				in.BirthYear = 0 // one or the other, as at distribution
			}
			fields = append(fields, "age_band")
		}
		if r.CommuneINSEE != nil && normalRef(*r.CommuneINSEE) != b.CommuneINSEE {
			in.CommuneINSEE = *r.CommuneINSEE
			fields = append(fields, "commune_insee")
		}
		if r.Needs != nil && strings.Join(r.Needs, "|") != strings.Join(b.Needs, "|") {
			in.Needs = r.Needs
			fields = append(fields, "needs")
		}
		if r.Autonomy != nil && *r.Autonomy != b.Autonomy {
			in.Autonomy = *r.Autonomy
			fields = append(fields, "autonomy")
		}
		if len(fields) == 0 {
			return passnum.Invalid("ref", "Rien à corriger : les données données sont déjà celles de la fiche %s.", ref)
		}
		if err := in.Validate(tx.now); err != nil {
			return err
		}
		if err := tx.exec(`UPDATE beneficiaries SET birth_year = ?, age_band = ?, commune_insee = ?, needs = ?, autonomy = ? WHERE id = ?`,
			nullInt(in.BirthYear), nullable(in.AgeBand), in.CommuneINSEE, strings.Join(in.Needs, "|"), nullable(in.Autonomy), b.ID); err != nil {
			return err
		}
		if err := tx.audit("beneficiaries.rectify", fmt.Sprintf("beneficiary:%d", b.ID), "fields: "+strings.Join(fields, " ")+"; reason: "+r.Reason); err != nil {
			return err
		}
		out, err = scanBeneficiary(tx.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE id = ?`, b.ID))
		return err
	})
	return out, wrapf(err, "rectify %s", ref)
}

// RestrictBeneficiary restricts (or lifts the restriction of) the use of a
// record (article 18): the record stays, but the person receives no new
// carnet, is registered to no session, and their details leave exports
// and figures. Asking for the state the record is already in changes
// nothing and writes nothing.
func (s *Store) RestrictBeneficiary(ctx context.Context, ref string, restricted bool, reason string) (*passnum.Beneficiary, error) {
	a, ref, err := rightsTarget(ctx, passnum.ActBeneficiaryRestrict, ref)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := passnum.CheckLine("reason", reason); err != nil {
		return nil, err
	}
	if restricted && reason == "" {
		return nil, passnum.Invalid("reason", "Dites pourquoi la personne demande la limitation (par exemple : « conteste l'exactitude de sa commune »).")
	}
	var out *passnum.Beneficiary
	err = s.write(ctx, "restrict beneficiary", func(tx *tx) error {
		b, err := tx.rightsSubject(a, ref)
		if err != nil {
			return err
		}
		out = b
		if (b.RestrictedAt != nil) == restricted {
			return nil
		}
		action, at := "beneficiaries.unrestrict", any(nil)
		if restricted {
			action, at = "beneficiaries.restrict", tx.nowText()
		}
		if err := tx.exec(`UPDATE beneficiaries SET restricted_at = ?, restriction_reason = ? WHERE id = ?`, at, reason, b.ID); err != nil {
			return err
		}
		if err := tx.audit(action, fmt.Sprintf("beneficiary:%d", b.ID), "reason: "+reason); err != nil {
			return err
		}
		out, err = scanBeneficiary(tx.row(`SELECT `+beneficiaryColumns+` FROM beneficiaries WHERE id = ?`, b.ID))
		return err
	})
	return out, wrapf(err, "restrict %s", ref)
}

// EraseBeneficiary erases a record (article 17) where no duty keeps it.
func (s *Store) EraseBeneficiary(ctx context.Context, ref, reason string) (*passnum.Erasure, error) {
	a, ref, err := rightsTarget(ctx, passnum.ActBeneficiaryErase, ref)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := passnum.CheckLine("reason", reason); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, passnum.Invalid("reason", "Dites pourquoi la fiche est effacée (par exemple : « demande de la personne du 3 décembre »), sans donnée personnelle.")
	}
	var out *passnum.Erasure
	err = s.write(ctx, "erase beneficiary", func(tx *tx) error {
		b, err := tx.rightsSubject(a, ref)
		if err != nil {
			return err
		}
		if err := tx.erasable(b); err != nil {
			return err
		}
		out, err = tx.eraseBeneficiary(b, "beneficiaries.erase", reason)
		return err
	})
	return out, wrapf(err, "erase %s", ref)
}

// erasable says whether erasing b keeps the books balanced, and refuses
// with ReasonErasureUnbalances otherwise.
//
// The rule: a pass handed to the person and not yet used is value the
// programme owes whoever presents it, and the person still holds it on
// paper. Erased, the record would leave that value in the books under
// nobody: a later use would pay a venue for a person who no longer
// exists, and the expiry's credit note would refund the funder for passes
// of no one. So the person's passes must first be used, expired or
// blocked (a block sends their value back to the funder at expiry). For
// the same reason, a pass used less than passnum.VoidWindow ago, which
// the venue may still void, must wait: voided, it would come back to the
// person. Passes used for good (redeemed past the window, settled) stay in
// the books without the person: the carnet keeps a holder, an anonymous
// record with no detail, so that pass states and the ledger reconcile as
// before.
func (t *tx) erasable(b *passnum.Beneficiary) error {
	var unused, voidable int
	var until sql.NullString
	err := t.row(`SELECT
			COALESCE(SUM(CASE WHEN s.state = 'distributed' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN s.state = 'redeemed' AND r.created_at > ? AND r.voided_at IS NULL THEN 1 ELSE 0 END), 0),
			MAX(CASE WHEN s.state = 'distributed' THEN p.valid_until END)
		FROM carnets c
		JOIN programmes p ON p.id = c.programme_id
		JOIN passes s ON s.serial BETWEEN c.first_serial AND c.first_serial + c.size - 1
		LEFT JOIN redemptions r ON r.id = s.redemption_id
		WHERE c.beneficiary_id = ?`, passnum.FormatTime(t.now.Add(-passnum.VoidWindow)), b.ID).Scan(&unused, &voidable, &until)
	if err != nil {
		return fmt.Errorf("erasable: %w", err)
	}
	switch {
	case unused > 0:
		return passnum.Errorf(passnum.EREFUSED, passnum.ReasonErasureUnbalances,
			"Effacement impossible pour le moment : la personne détient encore %s pass non utilisés (valables jusqu'au %s). Effacée, elle laisserait dans les comptes une valeur qui n'appartient à personne. Bloquez d'abord ses carnets (leur valeur revient au financeur à l'expiration) ou attendez leur expiration ; en attendant, limitez le traitement.",
			passnum.FrenchNumber(int64(unused)), passnum.FrenchDate(until.String))
	case voidable > 0:
		return passnum.Errorf(passnum.EREFUSED, passnum.ReasonErasureUnbalances,
			"Effacement impossible pour le moment : %s pass de la personne ont été utilisés il y a moins de 24 heures, et le lieu peut encore annuler leur encaissement, qui les rendrait à la personne. Réessayez demain.",
			passnum.FrenchNumber(int64(voidable)))
	}
	return nil
}

// newAnonymousRef draws the reference an erased record takes: it says
// "erased" and nothing else, and no one holds it on paper.
func newAnonymousRef() (string, error) {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	out := []byte("ANON-")
	for _, c := range raw {
		out = append(out, alphabet[c&31])
	}
	return string(out), nil
}

// eraseBeneficiary erases b, which erasable allowed: its details go, its
// reference is replaced by an anonymous one, registrations and activity
// reports lose their link to it. The audit trail names the record by its
// id and says what was done, never what was erased.
func (t *tx) eraseBeneficiary(b *passnum.Beneficiary, action, reason string) (*passnum.Erasure, error) {
	anon, err := newAnonymousRef()
	if err != nil {
		return nil, err
	}
	if err := t.exec(`UPDATE beneficiaries SET ref = ?, birth_year = NULL, age_band = NULL, commune_insee = '', needs = '', autonomy = NULL,
			consent_at = '', restricted_at = NULL, restriction_reason = '', erased_at = ? WHERE id = ?`, anon, t.nowText(), b.ID); err != nil {
		return nil, fmt.Errorf("erase beneficiary %d: %w", b.ID, err)
	}
	e := &passnum.Erasure{Ref: b.Ref, ErasedAt: t.now, Kept: []string{}}
	n, err := t.execN(`UPDATE workshop_registrations SET beneficiary_ref = NULL, label = '' WHERE beneficiary_ref = ?`, b.Ref)
	if err != nil {
		return nil, fmt.Errorf("erase beneficiary %d: registrations: %w", b.ID, err)
	}
	e.Registrations = int(n)
	if n, err = t.execN(`DELETE FROM activity_report_people WHERE beneficiary_ref = ?`, b.Ref); err != nil {
		return nil, fmt.Errorf("erase beneficiary %d: activity reports: %w", b.ID, err)
	}
	e.Activities = int(n)
	var carnets, used int
	if err := t.row(`SELECT COUNT(DISTINCT c.number), COALESCE(SUM(CASE WHEN s.state IN ('redeemed', 'settled') THEN 1 ELSE 0 END), 0)
		FROM carnets c JOIN passes s ON s.serial BETWEEN c.first_serial AND c.first_serial + c.size - 1
		WHERE c.beneficiary_id = ?`, b.ID).Scan(&carnets, &used); err != nil {
		return nil, fmt.Errorf("erase beneficiary %d: carnets: %w", b.ID, err)
	}
	if used > 0 {
		e.Kept = append(e.Kept, fmt.Sprintf("%s dans les comptes, sans lien avec la personne : la loi demande de garder les pièces comptables 10 ans.",
			passnum.FrenchCount(int64(used), "pass utilisé reste", "pass utilisés restent")))
	}
	if carnets > 0 {
		e.Kept = append(e.Kept, fmt.Sprintf("%s dans les chiffres du programme, remis à une personne anonyme.",
			passnum.FrenchCount(int64(carnets), "carnet reste compté", "carnets restent comptés")))
	}
	detail := fmt.Sprintf("%d registrations and %d activity reports unlinked, %d carnets kept anonymous", e.Registrations, e.Activities, carnets)
	if reason != "" {
		detail += "; reason: " + reason
	}
	if err := t.audit(action, fmt.Sprintf("beneficiary:%d", b.ID), detail); err != nil {
		return nil, err
	}
	return e, nil
}
