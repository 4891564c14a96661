package web

import (
	"net/http"
	"slices"

	"github.com/passnum/passnum"
)

// access says who may open a page.
type access int

const (
	public   access = iota // anyone, logged in or not
	loggedIn               // any person with a session
	kinds                  // members of the route's organisation kinds
	// step: any person with a session, complete or still waiting for its
	// second factor (the second-factor step and the enrolment it may
	// require); the handler tells the two apart.
	step
)

// route is one page or form target. The table below is the only list of
// routes: NewServer registers it, the role test walks it.
type route struct {
	method string
	path   string
	access access
	// kinds that may use the route, when access is kinds.
	kinds  []passnum.OrgKind
	handle func(*Server, http.ResponseWriter, *http.Request) error
}

var (
	operator   = []passnum.OrgKind{passnum.KindOperator}
	funderHub  = []passnum.OrgKind{passnum.KindFunder, passnum.KindHub}
	funderOnly = []passnum.OrgKind{passnum.KindFunder}
	hubOnly    = []passnum.OrgKind{passnum.KindHub}
	prescriber = []passnum.OrgKind{passnum.KindPrescriber}
	venue      = []passnum.OrgKind{passnum.KindVenue}
)

// routes: paths are French, because people read them in the address bar.
var routes = []route{
	{"GET", "/{$}", public, nil, (*Server).home},
	{"GET", "/connexion", public, nil, (*Server).loginForm},
	{"POST", "/connexion", public, nil, (*Server).login},
	{"POST", "/deconnexion", public, nil, (*Server).logout},
	{"GET", "/mot-de-passe-oublie", public, nil, (*Server).forgotForm},
	{"POST", "/mot-de-passe-oublie", public, nil, (*Server).forgot},
	{"GET", "/mot-de-passe/nouveau", public, nil, (*Server).resetForm},
	{"POST", "/mot-de-passe/nouveau", public, nil, (*Server).reset},
	// Invitations, address confirmations, new links (account_mail.go):
	// the paths of passnum.InvitationPath and its siblings, which the
	// messages link to.
	{"GET", "/compte/invitation", public, nil, (*Server).invitationForm},
	{"POST", "/compte/invitation", public, nil, (*Server).acceptInvitation},
	{"GET", "/compte/confirmation", public, nil, (*Server).confirmationForm},
	{"POST", "/compte/confirmation", public, nil, (*Server).confirmAddress},
	{"GET", "/compte/nouveau-lien", public, nil, (*Server).newLinkForm},
	{"POST", "/compte/nouveau-lien", public, nil, (*Server).newLink},
	{"GET", "/carnet", public, nil, (*Server).carnetCheckForm},
	{"POST", "/carnet", public, nil, (*Server).carnetCheck},
	{"GET", "/communes", public, nil, (*Server).communes},
	{"GET", "/accessibilite", public, nil, (*Server).accessibility},
	{"GET", "/mentions-legales", public, nil, (*Server).legalNotice},
	{"GET", "/sources", public, nil, (*Server).sources},
	{"GET", "/donnees-ouvertes", public, nil, (*Server).openData},
	{"GET", "/donnees-ouvertes/{file}", public, nil, (*Server).openDataFile},
	{"GET", "/appels-a-projets", public, nil, (*Server).openCalls},

	// The second factor (secondfactor.go): the sign-in step, the
	// person's own factors, and an operator admin's reset.
	{"GET", "/connexion/second-facteur", step, nil, (*Server).secondFactorForm},
	{"POST", "/connexion/second-facteur", step, nil, (*Server).secondFactor},
	{"GET", "/compte/second-facteur", loggedIn, nil, (*Server).securityPage},
	{"GET", "/compte/second-facteur/application", step, nil, (*Server).totpForm},
	{"POST", "/compte/second-facteur/application", step, nil, (*Server).totpConfirm},
	{"POST", "/compte/second-facteur/{id}/suppression", loggedIn, nil, (*Server).removeSecondFactor},
	{"POST", "/compte/second-facteur/cle/options", loggedIn, nil, (*Server).passkeyRegisterOptions},
	{"POST", "/compte/second-facteur/cle", loggedIn, nil, (*Server).passkeyRegister},
	{"POST", "/connexion/second-facteur/cle/options", step, nil, (*Server).passkeyLoginOptions},
	{"POST", "/connexion/second-facteur/cle", step, nil, (*Server).passkeyLogin},
	{"POST", "/operateur/organisations/{id}/membres/{user}/second-facteur", kinds, operator, (*Server).resetSecondFactor},

	{"GET", "/structure", loggedIn, nil, (*Server).switchForm},
	{"POST", "/structure", loggedIn, nil, (*Server).switchOrg},
	{"GET", "/compte/courriels", loggedIn, nil, (*Server).mailPreferences},
	{"POST", "/compte/courriels", loggedIn, nil, (*Server).saveMailPreferences},
	// Sign-in with ProConnect (proconnect.go).
	{"GET", "/connexion/proconnect", public, nil, (*Server).providerStart},
	{"GET", "/connexion/proconnect/retour", public, nil, (*Server).providerCallback},
	{"GET", "/compte/proconnect", loggedIn, nil, (*Server).providerLinks},
	{"POST", "/compte/proconnect/{id}/retrait", loggedIn, nil, (*Server).providerUnlink},

	{"GET", "/operateur", kinds, operator, (*Server).operatorHome},
	{"GET", "/operateur/recherche", kinds, operator, (*Server).search},
	{"GET", "/operateur/programmes/nouveau", kinds, operator, (*Server).programmeForm},
	{"POST", "/operateur/programmes", kinds, operator, (*Server).createProgramme},
	{"GET", "/operateur/programmes/{id}", kinds, operator, (*Server).operatorProgramme},
	{"POST", "/operateur/programmes/{id}/fonds", kinds, operator, (*Server).recordFunds},
	{"POST", "/operateur/programmes/{id}/lots", kinds, operator, (*Server).issue},
	{"POST", "/operateur/programmes/{id}/activation", kinds, operator, (*Server).activate},
	{"POST", "/operateur/programmes/{id}/attribution", kinds, operator, (*Server).allocate},
	// Conventions of calls for projects: the programme a signed one
	// finances is created from it (calls_forms.go).
	{"GET", "/operateur/conventions", kinds, operator, (*Server).operatorConventions},
	{"GET", "/operateur/conventions/{id}", kinds, operator, (*Server).operatorConvention},
	{"POST", "/operateur/conventions/{id}/programme", kinds, operator, (*Server).conventionProgrammeForm},
	{"POST", "/operateur/blocages", kinds, operator, (*Server).operatorBlock},
	{"GET", "/operateur/travaux/{id}", kinds, operator, (*Server).job},
	{"GET", "/operateur/travaux/{id}/etat", kinds, operator, (*Server).jobState},
	{"GET", "/operateur/lots/{id}/pass.csv", kinds, operator, (*Server).exportPasses},
	{"GET", "/operateur/lots/{id}/carnets.pdf", kinds, operator, (*Server).printCarnets},
	{"GET", "/operateur/carnets/{number}", kinds, operator, (*Server).operatorCarnet},
	{"GET", "/operateur/beneficiaires/{ref}", kinds, operator, (*Server).operatorBeneficiary},
	{"GET", "/operateur/organisations", kinds, operator, (*Server).organisations},
	{"POST", "/operateur/organisations", kinds, operator, (*Server).createOrganisation},
	{"GET", "/operateur/organisations/{id}", kinds, operator, (*Server).organisation},
	{"POST", "/operateur/organisations/{id}/membres", kinds, operator, (*Server).createMember},
	{"POST", "/operateur/organisations/{id}/rattachement", kinds, operator, (*Server).attachMember},
	{"POST", "/operateur/organisations/{id}/membres/{user}/invitation", kinds, operator, (*Server).resendInvitation},
	{"GET", "/operateur/courriels", kinds, operator, (*Server).outbox},
	{"POST", "/operateur/courriels/{id}/renvoi", kinds, operator, (*Server).retryMail},
	// One-click unsubscribe (mail.go): the link's secret is the authority.
	{"GET", "/desabonnement/{token}", public, nil, (*Server).unsubscribeForm},
	{"POST", "/desabonnement/{token}", public, nil, (*Server).unsubscribe},
	{"POST", "/operateur/organisations/{id}/territoire", kinds, operator, (*Server).setTerritory},

	// Indicator dashboards (dashboard.go): the operator reads every scope
	// and recomputes; funders and hubs read theirs, with the same page.
	{"GET", "/operateur/indicateurs", kinds, operator, (*Server).indicators},
	{"POST", "/operateur/indicateurs/recalcul", kinds, operator, (*Server).refreshIndicators},
	{"GET", "/operateur/indicateurs/export.csv", kinds, operator, (*Server).exportIndicatorsCSV},
	{"GET", "/operateur/indicateurs/export.xlsx", kinds, operator, (*Server).exportIndicatorsXLSX},
	{"GET", "/operateur/indicateurs/rapport.pdf", kinds, operator, (*Server).indicatorsPDF},
	{"GET", "/financeur/indicateurs", kinds, funderHub, (*Server).indicators},
	{"GET", "/financeur/indicateurs/export.csv", kinds, funderHub, (*Server).exportIndicatorsCSV},
	{"GET", "/financeur/indicateurs/export.xlsx", kinds, funderHub, (*Server).exportIndicatorsXLSX},
	{"GET", "/financeur/indicateurs/rapport.pdf", kinds, funderHub, (*Server).indicatorsPDF},

	// The venue network (venue_network*.go, application.go): public
	// applications, the operator's queue, venue files and decisions, the
	// national standard's import and exports, and the venue's own pages.
	{"GET", "/candidature", public, nil, (*Server).applicationForm},
	{"POST", "/candidature", public, nil, (*Server).apply},
	{"GET", "/candidature/envoyee", public, nil, (*Server).applicationSent},
	{"GET", "/operateur/candidatures", kinds, operator, (*Server).applications},
	{"GET", "/operateur/lieux", kinds, operator, (*Server).networkVenues},
	{"GET", "/operateur/lieux/{id}", kinds, operator, (*Server).venueFile},
	{"POST", "/operateur/lieux/{id}/decision", kinds, operator, (*Server).decide},
	{"GET", "/operateur/lieux/{id}/fiche", kinds, operator, (*Server).operatorProfile},
	{"POST", "/operateur/lieux/{id}/fiche", kinds, operator, (*Server).operatorProfileSave},
	{"GET", "/operateur/lieux/import", kinds, operator, (*Server).importForm},
	{"POST", "/operateur/lieux/import", kinds, operator, (*Server).importCheck},
	{"POST", "/operateur/lieux/import/confirmer", kinds, operator, (*Server).importConfirm},
	{"GET", "/operateur/lieux/export.csv", kinds, operator, (*Server).exportVenuesCSV},
	{"GET", "/operateur/lieux/export-tableur.csv", kinds, operator, (*Server).exportVenuesSpreadsheet},
	{"GET", "/operateur/lieux/export.json", kinds, operator, (*Server).exportVenuesJSON},
	{"GET", "/lieu/fiche", kinds, venue, (*Server).ownProfile},
	{"POST", "/lieu/fiche", kinds, venue, (*Server).ownProfileSave},
	{"GET", "/lieu/candidature", kinds, venue, (*Server).ownApplication},
	{"POST", "/lieu/candidature", kinds, venue, (*Server).ownResubmit},
	{"GET", "/lieu/banque", kinds, venue, (*Server).ownBank},
	{"POST", "/lieu/banque", kinds, venue, (*Server).ownBankSave},
	{"GET", "/lieu/permanences", kinds, venue, (*Server).ownPlaces},
	{"POST", "/lieu/permanences", kinds, venue, (*Server).ownPlaceSave},
	{"GET", "/lieu/equipe", kinds, venue, (*Server).ownTeam},
	{"POST", "/lieu/equipe", kinds, venue, (*Server).ownTeamAdd},
	{"POST", "/lieu/equipe/{user}/invitation", kinds, venue, (*Server).ownResendInvitation},

	// The public directory of venues (directory.go, map.go) and the
	// venues' workshops (workshop*.go): catalogue details, sessions,
	// registrations, attendance and activity reports. The directory's
	// paths start with /annuaire: /lieu… is the venues' own space.
	{"GET", "/annuaire", public, nil, (*Server).directory},
	{"GET", "/annuaire/{id}", public, nil, (*Server).directoryEntry},
	{"GET", "/lieu/catalogue/{id}", kinds, venue, (*Server).serviceForm},
	{"POST", "/lieu/catalogue/{id}", kinds, venue, (*Server).updateService},
	{"GET", "/lieu/seances", kinds, venue, (*Server).sessions},
	{"POST", "/lieu/seances", kinds, venue, (*Server).createSession},
	{"GET", "/lieu/seances/{id}", kinds, venue, (*Server).session},
	{"POST", "/lieu/seances/{id}/annulation", kinds, venue, (*Server).cancelSession},
	{"POST", "/lieu/seances/{id}/inscriptions", kinds, venue, (*Server).register},
	{"POST", "/lieu/seances/{id}/presences", kinds, venue, (*Server).attendance},
	{"POST", "/lieu/inscriptions/{id}/annulation", kinds, venue, (*Server).cancelRegistration},
	{"GET", "/lieu/comptes-rendus", kinds, venue, (*Server).reports},
	{"POST", "/lieu/comptes-rendus", kinds, venue, (*Server).createReport},
	{"GET", "/lieu/comptes-rendus/nouveau", kinds, venue, (*Server).reportForm},
	{"GET", "/lieu/comptes-rendus/export.csv", kinds, venue, (*Server).exportReports},
	// The advisers' activity over a territory (activity_overview.go): the
	// operator's everywhere, a hub's in its territory; a funder reads its
	// programmes, not the venues' reports.
	{"GET", "/operateur/activite", kinds, operator, (*Server).activityOverview},
	{"GET", "/operateur/activite/export.csv", kinds, operator, (*Server).exportActivity},
	{"GET", "/financeur/activite", kinds, hubOnly, (*Server).activityOverview},
	{"GET", "/financeur/activite/export.csv", kinds, hubOnly, (*Server).exportActivity},

	// The register of rights requests (rights_requests.go): the
	// operator's staff record every request a person makes over their
	// data, and its answer.
	{"GET", "/operateur/demandes-rgpd", kinds, operator, (*Server).rightsRequests},
	{"POST", "/operateur/demandes-rgpd", kinds, operator, (*Server).recordRightsRequest},
	{"GET", "/operateur/demandes-rgpd/{id}", kinds, operator, (*Server).rightsRequest},
	{"POST", "/operateur/demandes-rgpd/{id}/reponse", kinds, operator, (*Server).answerRightsRequest},
	{"POST", "/operateur/demandes-rgpd/{id}/prolongation", kinds, operator, (*Server).extendRightsRequest},

	// The rights of the person (rights.go): the operator's staff answer
	// a request; the prescriber acts for the person in front of it.
	{"GET", "/operateur/droits", kinds, operator, (*Server).operatorRightsFind},
	{"GET", "/operateur/droits/{ref}", kinds, operator, (*Server).operatorRightsPerson},
	{"GET", "/operateur/droits/{ref}/donnees.pdf", kinds, operator, (*Server).operatorRightsPDF},
	{"GET", "/operateur/droits/{ref}/donnees.json", kinds, operator, (*Server).operatorRightsJSON},
	{"POST", "/operateur/droits/{ref}/rectification", kinds, operator, (*Server).operatorRightsRectify},
	{"POST", "/operateur/droits/{ref}/limitation", kinds, operator, (*Server).operatorRightsRestrict},
	{"GET", "/operateur/droits/{ref}/effacement", kinds, operator, (*Server).operatorRightsEraseForm},
	{"POST", "/operateur/droits/{ref}/effacement", kinds, operator, (*Server).operatorRightsErase},
	{"GET", "/prescripteur/personnes", kinds, prescriber, (*Server).prescriberRightsFind},
	{"GET", "/prescripteur/personnes/{ref}", kinds, prescriber, (*Server).prescriberRightsPerson},
	{"GET", "/prescripteur/personnes/{ref}/donnees.pdf", kinds, prescriber, (*Server).prescriberRightsPDF},
	{"POST", "/prescripteur/personnes/{ref}/rectification", kinds, prescriber, (*Server).prescriberRightsRectify},
	{"POST", "/prescripteur/personnes/{ref}/demande", kinds, prescriber, (*Server).prescriberRightsAsk},

	// The journal of who read personal data (journal.go).
	{"GET", "/operateur/journal-consultations", kinds, operator, (*Server).personalReads},
	{"GET", "/operateur/journal-consultations/export.csv", kinds, operator, (*Server).exportPersonalReads},

	{"GET", "/financeur", kinds, funderHub, (*Server).funderHome},
	{"GET", "/financeur/programmes/{id}", kinds, funderHub, (*Server).funderProgramme},
	// Calls for projects (calls.go): a funder's calls, its applications.
	{"GET", "/financeur/appels", kinds, funderOnly, (*Server).funderCalls},
	{"GET", "/financeur/appels/{id}", kinds, funderOnly, (*Server).funderCall},
	// The call's funder's forms, from the call to the money in (calls_forms.go).
	{"GET", "/financeur/appels/nouveau", kinds, funderOnly, (*Server).newCallForm},
	{"POST", "/financeur/appels", kinds, funderOnly, (*Server).createCallForm},
	{"POST", "/financeur/candidatures/{id}/convention", kinds, funderOnly, (*Server).createConventionForm},
	{"POST", "/financeur/conventions/{id}/signatures", kinds, funderOnly, (*Server).signConventionForm},
	{"POST", "/financeur/conventions/{id}/avenants", kinds, funderOnly, (*Server).addendumForm},
	{"POST", "/financeur/conventions/{id}/appels-de-fonds", kinds, funderOnly, (*Server).fundCallForm},
	{"GET", "/financeur/appels/{id}/candidature", kinds, funderOnly, (*Server).newApplicationForm},
	{"POST", "/financeur/appels/{id}/candidature", kinds, funderOnly, (*Server).applyToCall},
	{"GET", "/financeur/candidatures/{id}", kinds, funderOnly, (*Server).funderApplication},
	{"POST", "/financeur/candidatures/{id}/depot", kinds, funderOnly, (*Server).submitApplicationForm},
	{"POST", "/financeur/candidatures/{id}/messages", kinds, funderOnly, (*Server).postApplicationMessage},
	{"POST", "/financeur/candidatures/{id}/decision", kinds, funderOnly, (*Server).decideApplicationForm},
	// Attachments of applications (attachments.go).
	{"POST", "/financeur/candidatures/{id}/pieces", kinds, funderOnly, (*Server).addAttachmentForm},
	{"GET", "/financeur/candidatures/{id}/pieces/{aid}/piece.pdf", kinds, funderOnly, (*Server).attachmentFile},
	{"POST", "/financeur/candidatures/{id}/pieces/{aid}/suppression", kinds, funderOnly, (*Server).deleteAttachmentForm},
	{"GET", "/financeur/conventions/{id}", kinds, funderOnly, (*Server).funderConvention},
	{"GET", "/financeur/conventions/{id}/convention.pdf", kinds, funderOnly, (*Server).conventionPDF},
	{"GET", "/financeur/conventions/{id}/avenants/{number}/avenant.pdf", kinds, funderOnly, (*Server).conventionPDF},
	{"POST", "/financeur/programmes/{id}/blocage", kinds, funderOnly, (*Server).funderBlock},
	// The conventions of a territory (conventions_territory.go), for the
	// conférence des financeurs: the operator's all, a funder's own, a
	// hub's territory's.
	{"GET", "/operateur/conventions/territoires", kinds, operator, (*Server).territoryConventions},
	{"GET", "/operateur/conventions/territoires/export.csv", kinds, operator, (*Server).exportConventionsCSV},
	{"GET", "/operateur/conventions/territoires/export.xlsx", kinds, operator, (*Server).exportConventionsXLSX},
	{"GET", "/financeur/conventions", kinds, funderHub, (*Server).territoryConventions},
	{"GET", "/financeur/conventions/export.csv", kinds, funderHub, (*Server).exportConventionsCSV},
	{"GET", "/financeur/conventions/export.xlsx", kinds, funderHub, (*Server).exportConventionsXLSX},

	// Money out (settlement*.go): the operator's settlement runs, venue
	// statements, payment batches and their pain.001 file, reconciliation
	// and credit notes; the venues' statements; the funders' charges and
	// credit notes (funders only: a hub reads figures, not invoices).
	{"GET", "/operateur/reglements", kinds, operator, (*Server).settlements},
	{"POST", "/operateur/reglements", kinds, operator, (*Server).runSettlement},
	{"POST", "/operateur/reglements/{id}/validation", kinds, operator, (*Server).validateRun},
	{"POST", "/operateur/reglements/compte", kinds, operator, (*Server).setPayerAccount},
	{"POST", "/operateur/virements", kinds, operator, (*Server).createPaymentBatch},
	{"GET", "/operateur/virements/{id}", kinds, operator, (*Server).paymentBatch},
	{"GET", "/operateur/virements/{id}/pain001.xml", kinds, operator, (*Server).paymentFile},
	{"GET", "/operateur/releves/{id}", kinds, operator, (*Server).statement},
	{"GET", "/operateur/releves/{id}/releve.pdf", kinds, operator, (*Server).statementPDF},
	{"GET", "/operateur/releves/{id}/releve.csv", kinds, operator, (*Server).statementCSV},
	{"POST", "/operateur/releves/{id}/validation", kinds, operator, (*Server).validateStatement},
	{"POST", "/operateur/releves/{id}/paiement", kinds, operator, (*Server).markStatementPaid},
	{"POST", "/operateur/releves/{id}/rejet", kinds, operator, (*Server).rejectStatement},
	{"GET", "/operateur/programmes/{id}/reglement", kinds, operator, (*Server).programmeSettlement},
	{"POST", "/operateur/programmes/{id}/avoirs", kinds, operator, (*Server).issueCreditNotes},
	{"POST", "/operateur/programmes/{id}/expiration", kinds, operator, (*Server).expirePasses},
	{"GET", "/operateur/appels/{id}/appel.pdf", kinds, operator, (*Server).chargePDF},
	{"GET", "/operateur/avoirs/{id}/avoir.pdf", kinds, operator, (*Server).creditNotePDF},
	{"GET", "/lieu/releves", kinds, venue, (*Server).venueStatements},
	{"GET", "/lieu/releves/{id}", kinds, venue, (*Server).statement},
	{"GET", "/lieu/releves/{id}/releve.pdf", kinds, venue, (*Server).statementPDF},
	{"GET", "/lieu/releves/{id}/releve.csv", kinds, venue, (*Server).statementCSV},
	{"GET", "/financeur/facturation", kinds, funderOnly, (*Server).funderBilling},
	{"GET", "/financeur/facturation/appels/{id}/appel.pdf", kinds, funderOnly, (*Server).chargePDF},
	{"GET", "/financeur/facturation/avoirs/{id}/avoir.pdf", kinds, funderOnly, (*Server).creditNotePDF},

	{"GET", "/prescripteur", kinds, prescriber, (*Server).prescriberHome},
	{"GET", "/prescripteur/remettre", kinds, prescriber, (*Server).handOutForm},
	{"POST", "/prescripteur/remettre", kinds, prescriber, (*Server).handOut},
	{"GET", "/prescripteur/carnets/{number}/recu", kinds, prescriber, (*Server).receipt},
	{"GET", "/prescripteur/carnets/{number}/atelier", kinds, prescriber, (*Server).bookingForm},
	{"POST", "/prescripteur/carnets/{number}/atelier", kinds, prescriber, (*Server).book},
	{"POST", "/prescripteur/carnets/{number}/inscriptions/{id}/annulation", kinds, prescriber, (*Server).cancelBooking},

	{"GET", "/lieu", kinds, venue, (*Server).cashier},
	{"POST", "/lieu/encaisser", kinds, venue, (*Server).cashierPost},
	{"GET", "/lieu/historique", kinds, venue, (*Server).history},
	{"GET", "/lieu/encaissements/{id}/annuler", kinds, venue, (*Server).voidForm},
	{"POST", "/lieu/encaissements/{id}/annuler", kinds, venue, (*Server).void},
	{"GET", "/lieu/catalogue", kinds, venue, (*Server).catalogue},
	{"POST", "/lieu/catalogue", kinds, venue, (*Server).createService},
	{"POST", "/lieu/catalogue/{id}/actif", kinds, venue, (*Server).setServiceActive},

	// Personal data (privacy.go): the notice for people and the register
	// of processing activities, public, linked from every footer.
	{"GET", "/donnees-personnelles", public, nil, (*Server).privacyNotice},
	{"GET", "/donnees-personnelles/registre", public, nil, (*Server).privacyRegister},
	{"GET", "/donnees-personnelles/registre.pdf", public, nil, (*Server).privacyRegisterPDF},
}

// allows tells whether a member of an organisation of kind k may use rt.
func (rt route) allows(k passnum.OrgKind) bool {
	return rt.access != kinds || slices.Contains(rt.kinds, k)
}

// homePath is where each kind of organisation lands after login.
func homePath(k passnum.OrgKind) string {
	switch k {
	case passnum.KindOperator:
		return "/operateur"
	case passnum.KindFunder, passnum.KindHub:
		return "/financeur"
	case passnum.KindPrescriber:
		return "/prescripteur"
	case passnum.KindVenue:
		return "/lieu"
	}
	return "/"
}
