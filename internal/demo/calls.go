package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/pdf"
)

// The demo's call for projects (issue 18): the State's call, open today,
// to which the département and its neighbour applied; the département was
// selected and the neighbour refused; the département's convention is
// signed, a foundation joined it by an addendum, and it finances a
// programme of its own.
const (
	callTitle      = "Appel à projets Pass numérique — Bretagne"
	neighbourName  = "Département des Côtes-d'Armor"
	foundationName = "Fondation pour l'inclusion numérique"
)

func (sd *seeder) calls(context.Context) error {
	now := sd.tl.end.Add(-time.Hour)
	sd.setTime(now)
	today := now.In(paris).Format(passnum.DateLayout)
	year := now.In(paris).Year()
	neighbour, err := sd.s.CreateOrganisation(sd.op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: neighbourName})
	if err != nil {
		return err
	}
	foundation, err := sd.s.CreateOrganisation(sd.op, passnum.OrganisationCreate{Kind: passnum.KindFunder, Name: foundationName})
	if err != nil {
		return err
	}
	state := sd.as(context.Background(), sd.state, passnum.RoleAdmin)
	call, err := sd.s.CreateCall(state, passnum.CallCreate{
		Title:          callTitle,
		Description:    "L'État cofinance, à parts égales avec les collectivités, l'achat de Pass numériques et leur distribution aux personnes éloignées du numérique.",
		EnvelopeCents:  1_500_000_00,
		ApplicantKinds: []passnum.ApplicantKind{passnum.ApplicantRegion, passnum.ApplicantDepartement, passnum.ApplicantEPCI, passnum.ApplicantGroup},
		Territory:      []string{"region:53"},
		OpensOn:        passnum.AddDays(today, -30),
		ClosesOn:       passnum.AddDays(today, 60),
		Questions:      []string{"Quels lieux de médiation numérique et quels prescripteurs sont associés ?", "Comment le hub territorial accompagne-t-il le projet ?"},
		Criteria:       []passnum.Criterion{{Label: "Qualité du plan d'action", MaxPoints: 10}, {Label: "Cofinancements", MaxPoints: 5}, {Label: "Couverture du territoire", MaxPoints: 5}},
	})
	if err != nil {
		return fmt.Errorf("call: %w", err)
	}
	apply := func(org *passnum.Organisation, title string, area string, asked, own int64, answers []string) (*passnum.Application, error) {
		ctx := sd.as(context.Background(), org, passnum.RoleAdmin)
		p, err := sd.s.SaveApplication(ctx, passnum.ApplicationInput{CallID: call.ID, ApplicantKind: passnum.ApplicantDepartement, Title: title,
			Territory: []string{area}, Targets: passnum.ActionTargets{People: int(asked / 1_500_00), Passes: int(asked / 50_00), Venues: 25, Hubs: 1},
			Lines: []passnum.FundingLine{
				{FunderID: sd.state.ID, Year: year, AmountCents: asked / 2}, {FunderID: sd.state.ID, Year: year + 1, AmountCents: asked - asked/2},
				{FunderID: org.ID, Year: year, AmountCents: own / 2}, {FunderID: org.ID, Year: year + 1, AmountCents: own - own/2}},
			Answers: answers})
		if err != nil {
			return nil, err
		}
		if org.ID == sd.dept.ID {
			// The deliberation of its assembly, joined before it submits.
			if err := sd.deliberation(ctx, org, p.ID, title, asked, own, now); err != nil {
				return nil, err
			}
		}
		return sd.s.SubmitApplication(ctx, p.ID)
	}
	selected, err := apply(sd.dept, "Ille-et-Vilaine, un pass pour chacun", "departement:"+departement, 150_000_00, 150_000_00,
		[]string{"Trente lieux qualifiés du département et les CCAS des villes de plus de 10 000 habitants.", "Le hub anime le réseau et forme les aidants."})
	if err != nil {
		return fmt.Errorf("application of %s: %w", sd.dept.Name, err)
	}
	refused, err := apply(neighbour, "Côtes-d'Armor numérique", "departement:22", 120_000_00, 120_000_00,
		[]string{"À préciser.", "À préciser."})
	if err != nil {
		return fmt.Errorf("application of %s: %w", neighbour.Name, err)
	}
	if _, err := sd.s.PostMessage(state, selected.ID, "Combien de personnes comptez-vous accompagner la première année ?"); err != nil {
		return err
	}
	if _, err := sd.s.PostMessage(sd.as(context.Background(), sd.dept, passnum.RoleAdmin), selected.ID, "Mille personnes environ, la moitié en zone rurale."); err != nil {
		return err
	}
	if _, err := sd.s.ReviewApplication(state, selected.ID, passnum.Review{Scores: []passnum.Score{
		{Criterion: "Qualité du plan d'action", Points: 8}, {Criterion: "Cofinancements", Points: 4}, {Criterion: "Couverture du territoire", Points: 5}},
		Comment: "Plan complet, lieux identifiés."}); err != nil {
		return err
	}
	if _, err := sd.s.DecideApplication(state, selected.ID, passnum.Decision{Selected: true, Reason: "Plan d'action complet, cofinancé à parts égales, lieux et prescripteurs identifiés."}); err != nil {
		return err
	}
	if _, err := sd.s.DecideApplication(state, refused.ID, passnum.Decision{Reason: "Le plan d'action ne nomme ni les lieux ni les prescripteurs associés : vous pourrez candidater de nouveau à la prochaine vague."}); err != nil {
		return err
	}
	conv, err := sd.s.CreateConvention(state, passnum.ConventionCreate{ApplicationID: selected.ID, StartsOn: today, EndsOn: fmt.Sprintf("%d-12-31", year+1)})
	if err != nil {
		return fmt.Errorf("convention: %w", err)
	}
	for _, p := range conv.Parties {
		if conv, err = sd.s.SignConvention(state, conv.ID, passnum.Signature{FunderID: p.FunderID, SignedOn: today}); err != nil {
			return fmt.Errorf("signature: %w", err)
		}
	}
	tolerance, fee := toleranceDays, feeBP
	prog, err := sd.s.CreateProgrammeFromConvention(sd.op, conv.ID, passnum.ConventionProgramme{
		Name: fmt.Sprintf("Pass numérique Ille-et-Vilaine — convention %d-%d", year, year+1), FaceValueCents: faceValue, CarnetSize: carnetSize,
		ValidFrom: today, ValidUntil: fmt.Sprintf("%d-12-31", year+1), ToleranceDays: &tolerance, FeeBP: &fee, Services: programmeServices})
	if err != nil {
		return fmt.Errorf("programme of the convention: %w", err)
	}
	if _, err := sd.s.CreateAddendum(state, conv.ID, passnum.AddendumCreate{Reason: "La " + foundationName + " rejoint la convention pour l'année " + fmt.Sprint(year+1) + ".",
		Amounts: []passnum.FundingLine{{FunderID: foundation.ID, Year: year + 1, AmountCents: 30_000_00}}}); err != nil {
		return fmt.Errorf("addendum: %w", err)
	}
	if _, err := sd.s.SignConvention(state, conv.ID, passnum.Signature{FunderID: foundation.ID, SignedOn: today}); err != nil {
		return fmt.Errorf("signature of the addendum: %w", err)
	}
	sd.creds.CallID, sd.creds.ConventionID = call.ID, conv.ID
	fmt.Fprintf(sd.w, "démo : appel à projets n°%d, deux candidatures (une retenue, une refusée), convention n°%d signée avec un avenant, programme n°%d\n",
		call.ID, conv.ID, prog.ID)
	return nil
}

// deliberation joins to an application the deliberation by which the
// applicant's assembly commits its share: a one-page PDF.
func (sd *seeder) deliberation(ctx context.Context, org *passnum.Organisation, application int64, title string, asked, own int64, now time.Time) error {
	var buf bytes.Buffer
	if err := pdf.Note(&buf, org.Name, "Délibération de l'assemblée", now,
		fmt.Sprintf("L'assemblée de %s approuve le plan d'action « %s » et sa candidature à l'appel à projets « %s ».", org.Name, title, callTitle),
		fmt.Sprintf("Elle engage %s de ses propres crédits sur deux ans, et sollicite %s de l'État.", passnum.FrenchEuros(own), passnum.FrenchEuros(asked)),
		"Elle autorise son président à signer la convention qui en résultera."); err != nil {
		return fmt.Errorf("deliberation: %w", err)
	}
	_, err := sd.s.AddAttachment(ctx, passnum.AttachmentUpload{ApplicationID: application, FileName: "Délibération de l'assemblée.pdf", Content: buf.Bytes()})
	return err
}
