package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/httpx"
	"github.com/passnum/passnum/internal/ratelimit"
)

// Problem is an RFC 9457 problem detail, the body of every error answer.
// Type is "/api/problems/" followed by the stable reason of the error
// (passnum.ErrorReason), and dereferences to a description of the problem.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	// Field names the input field at fault, when there is one.
	Field string `json:"field,omitempty"`
	// Passes is the verdict on every pass of a refused check or
	// redemption, so that a venue sees all the refused passes at once.
	Passes []passnum.PassCheck `json:"passes,omitempty"`
	// Errors lists every input error of a refused request — each field of
	// a venue application, each bad line of an imported file — so that a
	// client corrects them all at once rather than one per attempt.
	Errors []InputError `json:"errors,omitempty"`
}

// InputError is one item of a problem's errors extension: the line of an
// imported file (absent for a form), the field and what is wrong, in French.
type InputError struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// problemTypeBase prefixes the reason slug in a problem's type.
const problemTypeBase = "/api/problems/"

// Reasons of problems raised by the HTTP layer itself.
const (
	reasonTooManyBadCodes    = "too-many-bad-codes"
	reasonTooManyBadTokens   = "too-many-failed-authentications"
	reasonTooManyCarnetCodes = "too-many-carnet-codes"
	reasonInvalidJSON        = "invalid-json"
	reasonUnknownField       = "unknown-field"
	reasonBodyTooLarge       = "body-too-large"
	reasonUnsupportedMedia   = "unsupported-media-type"
	reasonMethodNotAllowed   = "method-not-allowed"
	// Venue network.
	reasonTooManyApplications = "too-many-applications"
	reasonImportInvalid       = "import-invalid"
	reasonFileTooLarge        = "file-too-large"
)

// httpStatus turns an error into an HTTP status: by its code (httpx.Status,
// shared with the web interface), except for the few problems of HTTP
// itself (body size, media type, method) that no domain code describes, and
// an imported file to correct, which is invalid input answered 422 like the
// other refusals of a well-formed request.
func httpStatus(code, reason string) int {
	switch reason {
	case reasonBodyTooLarge, reasonFileTooLarge:
		return http.StatusRequestEntityTooLarge
	case reasonImportInvalid:
		// The file is well received and readable HTTP, but its content
		// cannot be imported: the errors extension lists why.
		return http.StatusUnprocessableEntity
	case reasonUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case reasonMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return httpx.StatusOf(code, reason)
}

// problemType describes one kind of problem, for the title of problem
// answers and the page its type URI dereferences to.
type problemType struct {
	Type        string `json:"type"`
	Reason      string `json:"reason"`
	Status      int    `json:"status"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

// problemTypes lists every reason the service and the HTTP layer can
// answer with. A test reads the sources of the domain and the store to make
// sure none is missing.
var problemTypes = map[string]problemType{}

func init() {
	for _, p := range []struct{ code, reason, title, description string }{
		// Generic reasons: an error without a reason of its own has its code as reason.
		{passnum.EINVALID, passnum.EINVALID, "Requête invalide", "La requête est mal formée ou incomplète ; le détail dit quoi corriger."},
		{passnum.EUNAUTHORIZED, passnum.EUNAUTHORIZED, "Authentification requise", "Aucun identifiant valide n'accompagne la requête."},
		{passnum.EFORBIDDEN, passnum.EFORBIDDEN, "Action non autorisée", "Votre rôle ne permet pas cette action."},
		{passnum.ENOTFOUND, passnum.ENOTFOUND, "Introuvable", "L'objet n'existe pas ou n'est pas visible pour votre organisation."},
		{passnum.ECONFLICT, passnum.ECONFLICT, "Conflit", "La requête contredit l'état actuel des données."},
		{passnum.EREFUSED, passnum.EREFUSED, "Opération refusée", "Une règle du programme refuse l'opération."},
		{passnum.ERATELIMIT, passnum.ERATELIMIT, "Trop de tentatives", "Trop de requêtes en peu de temps : réessayez plus tard."},
		{passnum.EINTERNAL, "internal", "Erreur interne", "Une panne ou un défaut du logiciel : l'incident est enregistré pour l'opérateur, réessayez plus tard."},
		{passnum.EUNAVAILABLE, passnum.EUNAVAILABLE, "Service momentanément indisponible", "Le serveur ne peut pas traiter la requête pour le moment ; rien n'a été enregistré. L'en-tête Retry-After dit quand réessayer."},
		{passnum.EUNAVAILABLE, passnum.ReasonStorageFull, "Espace disque plein", "L'espace disque de la base de données est plein : le serveur ne peut rien enregistrer, et rien ne l'a été (aucun pass encaissé). L'opérateur est prévenu ; renvoyez la même requête (avec la même clé d'idempotence) après le délai de l'en-tête Retry-After."},
		{passnum.EUNAVAILABLE, passnum.ReasonServerOverloaded, "Serveur surchargé", "La base de données manque pour le moment de connexions ou de mémoire : rien n'a été enregistré ; renvoyez la même requête après le délai de l'en-tête Retry-After."},

		// Requests.
		{passnum.EINVALID, "invalid-input", "Donnée invalide", "Un champ de la requête est invalide ; l'extension « field » le nomme."},
		{passnum.EINVALID, passnum.ReasonControlCharacter, "Caractère refusé", "Un champ contient un caractère de contrôle (NUL, BEL, ESC…, ou un retour à la ligne ou une tabulation dans un champ d'une ligne), un caractère invisible qui change le sens de l'écriture (U+202E…), le caractère de remplacement U+FFFD, ou des octets qui ne sont pas de l'UTF-8 ; l'extension « field » nomme le champ. Rien n'a été enregistré."},
		{passnum.EINVALID, reasonInvalidJSON, "JSON invalide", "Le corps de la requête n'est pas un objet JSON bien formé."},
		{passnum.EINVALID, reasonUnknownField, "Champ inconnu", "Le corps de la requête contient un champ que l'API ne connaît pas ; l'extension « field » le nomme. Les champs inconnus sont refusés pour qu'une faute de frappe ne passe pas inaperçue."},
		{passnum.EINVALID, reasonBodyTooLarge, "Requête trop volumineuse", "Le corps de la requête dépasse 1 Mio."},
		{passnum.EINVALID, reasonUnsupportedMedia, "Type de contenu non pris en charge", "Le corps d'une requête POST est du JSON, annoncé par l'en-tête Content-Type: application/json."},
		{passnum.EINVALID, reasonMethodNotAllowed, "Méthode non prise en charge", "Cette adresse existe, mais pas avec cette méthode HTTP ; l'en-tête Allow donne les méthodes acceptées."},
		{passnum.ENOTFOUND, "not-found", "Introuvable", "L'objet n'existe pas ou n'est pas visible pour votre organisation."},

		// Identity and permissions.
		{passnum.EUNAUTHORIZED, "unauthenticated", "Authentification requise", "Ajoutez l'en-tête Authorization: Bearer suivi du jeton d'accès de votre organisation."},
		{passnum.EUNAUTHORIZED, "bad-token", "Jeton d'accès refusé", "Le jeton d'accès est inconnu ou a été révoqué."},
		{passnum.EUNAUTHORIZED, "bad-credentials", "Identifiants incorrects", "L'adresse électronique ou le mot de passe est incorrect."},
		{passnum.EFORBIDDEN, "forbidden", "Action non autorisée", "Le type de votre organisation ou votre rôle (admin, agent) ne permet pas cette action."},
		{passnum.EFORBIDDEN, "not-a-member", "Organisation non autorisée", "Vous n'êtes pas membre de cette organisation."},
		{passnum.EFORBIDDEN, "no-membership", "Compte sans organisation", "Le compte n'est rattaché à aucune organisation : un administrateur doit l'y ajouter avant la première connexion."},
		{passnum.EUNAUTHORIZED, "session-expired", "Session expirée", "La session est inconnue, expirée ou fermée, ou son organisation n'est plus la vôtre : reconnectez-vous."},
		{passnum.EINVALID, "reset-token-invalid", "Lien de réinitialisation périmé", "Le lien de réinitialisation du mot de passe a déjà servi ou a expiré : demandez-en un nouveau."},
		{passnum.ERATELIMIT, reasonTooManyBadTokens, "Trop d'échecs d'authentification", "Trop de jetons inconnus ou révoqués ont été présentés depuis votre réseau : les jetons inconnus y sont refusés ainsi quelques instants, un jeton valide reste accepté ; l'en-tête Retry-After dit quand réessayer."},
		{passnum.ERATELIMIT, reasonTooManyCarnetCodes, "Trop de codes inconnus", "Trop de codes qui ne correspondent à aucun carnet ont été saisis depuis votre réseau en peu de temps : la consultation est suspendue jusqu'à l'heure indiquée (en-tête Retry-After), pour empêcher qu'on devine des codes."},
		{passnum.ERATELIMIT, reasonTooManyBadCodes, "Trop de codes refusés", "Votre organisation a présenté trop de codes de pass inconnus, falsifiés ou mal saisis en peu de temps : contrôles et encaissements sont suspendus jusqu'à l'heure indiquée (en-tête Retry-After), pour empêcher qu'on devine des codes."},

		// Organisations, people, catalogue.
		{passnum.ECONFLICT, "siret-taken", "SIRET déjà enregistré", "Un lieu de médiation porte déjà ce SIRET : un SIRET identifie un seul lieu."},
		{passnum.ECONFLICT, "venue-id-taken", "Identifiant de lieu déjà pris", "Un autre lieu porte déjà cet identifiant du standard (id) : chaque lieu a le sien. Si c'est le vôtre, l'opérateur peut vous y rattacher."},
		{passnum.ECONFLICT, "qualification-move", "Changement de statut impossible", "Le circuit de qualification ne permet pas ce changement depuis le statut actuel du lieu ; le détail donne les décisions possibles."},
		{passnum.ECONFLICT, "file-incomplete", "Dossier incomplet", "Il manque au dossier du lieu le questionnaire, le compte bancaire ou la charte acceptée : demandez des compléments avant de le qualifier."},
		{passnum.ERATELIMIT, reasonTooManyApplications, "Trop de candidatures", "Trop de candidatures de lieux ont été envoyées depuis votre réseau en peu de temps : les envois sont suspendus jusqu'à l'heure indiquée (en-tête Retry-After)."},
		{passnum.EINVALID, reasonImportInvalid, "Fichier à corriger", "Des lignes du fichier importé ne respectent pas le standard des lieux de médiation numérique ; l'extension « errors » donne chaque ligne, chaque champ et le problème. Rien n'a été importé."},
		{passnum.EINVALID, reasonFileTooLarge, "Fichier trop volumineux", "Le fichier importé dépasse 20 Mio : découpez-le en plusieurs fichiers."},
		{passnum.EINVALID, passnum.ReasonWeakPassword, "Mot de passe trop facile à deviner", "Le mot de passe est trop court (12 caractères au moins), contient un caractère invisible, ou se devine vite : l'un des mots de passe les plus courants (seul ou avec quelques chiffres ou signes autour), un même caractère répété, une suite (1234…, abcd…, azerty…), un même morceau répété, ou le nom ou l'adresse électronique de la personne. Le détail dit lequel, sans répéter le mot de passe."},
		{passnum.ECONFLICT, "email-taken", "Adresse déjà utilisée", "Un compte existe déjà pour cette adresse : ajoutez-lui une appartenance plutôt qu'un nouveau compte."},

		// Programmes, funds, issuance.
		{passnum.ECONFLICT, "payment-order-duplicate", "Ordre de paiement déjà enregistré", "Cette référence d'ordre de paiement est déjà enregistrée pour le programme."},
		{passnum.EREFUSED, "budget-exceeded", "Budget dépassé", "L'émission dépasserait le budget financé du programme."},
		{passnum.EREFUSED, "programme-expired", "Programme expiré", "La validité du programme (tolérance comprise) est passée."},
		{passnum.ECONFLICT, "nothing-to-activate", "Rien à activer", "Les pass demandés sont déjà activés ou bloqués."},
		{passnum.EREFUSED, "funds-insufficient", "Fonds insuffisants", "Les fonds reçus des financeurs ne couvrent pas les pass à activer : enregistrez d'abord l'ordre de paiement."},

		// Carnets and beneficiaries.
		{passnum.EREFUSED, "carnet-not-activated", "Carnet non activé", "Le carnet n'est pas encore activé : il ne peut pas être attribué."},
		{passnum.EREFUSED, "carnet-unavailable", "Carnet indisponible", "Le carnet contient un pass bloqué, utilisé ou expiré : il ne peut pas être attribué."},
		{passnum.EREFUSED, "carnet-already-distributed", "Carnet déjà remis", "Le carnet a déjà été remis à un bénéficiaire."},
		{passnum.EREFUSED, "carnet-not-in-stock", "Carnet hors de votre stock", "Le carnet n'a pas été attribué à votre structure."},
		{passnum.EREFUSED, "carnet-blocked", "Carnet bloqué", "Le carnet est bloqué par le financeur ou l'opérateur."},
		{passnum.ENOTFOUND, "carnet-unknown", "Carnet introuvable", "Aucun carnet ne correspond à ce code de pass. Qu'il soit inconnu, mal saisi ou falsifié, la réponse est la même."},
		{passnum.ENOTFOUND, "beneficiary-unknown", "Bénéficiaire inconnu", "Aucun bénéficiaire de votre structure n'a cette référence."},
		{passnum.ECONFLICT, "nothing-to-block", "Rien à bloquer", "Les pass visés sont déjà utilisés, bloqués ou expirés."},
		{passnum.ECONFLICT, "nothing-to-unblock", "Rien à débloquer", "Aucun pass n'est bloqué à ce niveau."},

		// Checks and redemptions.
		{passnum.EREFUSED, passnum.ReasonMalformed, "Code de pass mal saisi", "Le code n'a pas la forme d'un code de pass, ou son caractère de contrôle ne correspond pas."},
		{passnum.EREFUSED, passnum.ReasonUnknown, "Code de pass inconnu", "Aucun pass ne porte ce code."},
		{passnum.EREFUSED, passnum.ReasonForged, "QR code falsifié", "La signature du QR code ne correspond à aucun pass émis."},
		{passnum.EREFUSED, passnum.ReasonDuplicate, "Pass en double", "Le même pass figure deux fois dans la liste."},
		{passnum.EREFUSED, passnum.ReasonNotActivated, "Pass non activé", "Le financeur n'a pas encore versé les fonds de ce pass."},
		{passnum.EREFUSED, passnum.ReasonNotDistributed, "Pass non remis", "Le pass n'a pas été remis à une personne par un prescripteur."},
		{passnum.EREFUSED, passnum.ReasonBlocked, "Pass bloqué", "Le pass est bloqué (perte, vol, fin de distribution…)."},
		{passnum.EREFUSED, passnum.ReasonNotYetValid, "Pass pas encore valable", "La période de validité du pass n'a pas commencé."},
		{passnum.EREFUSED, passnum.ReasonExpired, "Pass expiré", "La validité du pass, tolérance comprise, est passée."},
		{passnum.EREFUSED, passnum.ReasonAlreadyRedeemed, "Pass déjà utilisé", "Le pass a déjà été encaissé."},
		{passnum.EREFUSED, passnum.ReasonVenueNotQual, "Lieu non qualifié", "Seul un lieu qualifié encaisse des pass, rédige des comptes rendus d'activité, programme des séances, y inscrit des personnes et crée des comptes pour son équipe ; le détail dit le statut du lieu."},
		{passnum.EREFUSED, passnum.ReasonOutsideTerr, "Hors du territoire du programme", "Le programme du pass ne couvre pas la commune du lieu."},
		{passnum.EREFUSED, passnum.ReasonServiceNotAllow, "Service non financé", "Le programme du pass ne finance pas cette catégorie de service."},
		{passnum.EREFUSED, passnum.ReasonServiceUnknown, "Service inconnu", "Le service ne figure pas (ou plus) au catalogue du lieu."},
		{passnum.EREFUSED, passnum.ReasonPassCount, "Nombre de pass incorrect", "Le nombre de pass ne correspond pas à un nombre entier de personnes au prix du service."},
		{passnum.EREFUSED, passnum.ReasonPassesRefused, "Pass refusés", "Plusieurs pass sont refusés pour des raisons différentes ; l'extension « passes » donne le verdict sur chacun. Aucun pass n'a été encaissé."},
		// Sessions, registrations and activity reports.
		{passnum.ECONFLICT, "session-full", "Séance complète", "Toutes les places de la séance sont prises : proposez une autre séance, ou augmentez sa capacité."},
		{passnum.ECONFLICT, "session-cancelled", "Séance annulée", "La séance a été annulée : on ne peut plus s'y inscrire ni y noter de présence, ni l'annuler de nouveau."},
		{passnum.EREFUSED, "session-over", "Séance terminée", "La séance est terminée : on ne peut plus s'y inscrire."},
		{passnum.EREFUSED, "session-not-started", "Séance pas encore commencée", "La présence se note une fois la séance commencée."},
		{passnum.ECONFLICT, "session-held", "Séance déjà tenue", "Des présences sont enregistrées pour la séance : elle a eu lieu et ne peut plus être annulée."},
		{passnum.ECONFLICT, "session-redeemed", "Séance déjà payée en pass", "Des pass ont été encaissés pour la séance : annulez d'abord ces encaissements pour annuler la séance."},
		{passnum.ECONFLICT, "already-registered", "Personne déjà inscrite", "Cette personne est déjà inscrite à la séance."},
		{passnum.ECONFLICT, "registration-cancelled", "Inscription annulée", "L'inscription a été annulée : elle ne peut plus être annulée de nouveau ni recevoir de présence."},
		{passnum.ECONFLICT, "attendance-recorded", "Présence enregistrée", "La personne est enregistrée présente : son inscription ne peut plus être annulée."},
		{passnum.ECONFLICT, "redemption-reported", "Encaissement déjà compté", "L'encaissement figure déjà dans un autre compte-rendu d'activité : un encaissement ne se compte qu'une fois."},

		{passnum.ECONFLICT, "idempotency-key-reused", "Clé d'idempotence déjà utilisée", "La clé d'idempotence a déjà servi pour un autre encaissement : chaque encaissement a sa clé."},
		{passnum.ECONFLICT, "already-voided", "Encaissement déjà annulé", "L'encaissement a déjà été annulé."},
		{passnum.EREFUSED, "void-window-closed", "Délai d'annulation dépassé", "Un lieu annule son encaissement dans les 24 heures ; au-delà, il s'adresse à l'opérateur."},
		{passnum.EREFUSED, "already-settled", "Encaissement déjà remboursé", "Un encaissement remboursé au lieu ne s'annule plus."},

		// Settlement: statements, payment batches, credit notes.
		{passnum.ECONFLICT, "statement-state", "État du relevé incompatible", "Le relevé n'est pas dans l'état que l'opération demande : on valide un brouillon, on déclare payé ou rejeté un relevé validé dont le virement est parti."},
		{passnum.ECONFLICT, "statement-not-batched", "Relevé hors lot de virements", "Le relevé n'est dans aucun lot de virements : créez d'abord un lot (POST /api/v1/payment-batches)."},
		{passnum.EREFUSED, "no-payer-account", "Compte de l'opérateur manquant", "Le compte d'où partent les virements n'est pas renseigné : enregistrez-le d'abord (PUT /api/v1/payer-account)."},
		{passnum.EREFUSED, "no-bank-account", "Compte bancaire du lieu manquant", "Les lieux dont les relevés attendent un virement n'ont pas de coordonnées bancaires : le détail les nomme. Un lieu sans compte reste hors des lots jusqu'à ce qu'il les renseigne."},
		{passnum.EREFUSED, "nothing-to-pay", "Rien à payer", "Aucun relevé validé n'attend de virement : validez d'abord des relevés."},
		{passnum.EREFUSED, "not-expired", "Programme encore valable", "Les pass du programme restent utilisables (validité et tolérance) : les avoirs viennent après."},
		{passnum.EREFUSED, "expiry-pending", "Expiration à lancer", "Des pass du programme ne sont pas encore expirés : lancez d'abord l'expiration (POST /api/v1/expiry), puis émettez les avoirs."},
		// Indicators.
		{passnum.ENOTFOUND, "no-indicators", "Indicateurs pas encore calculés", "Les indicateurs et les données ouvertes n'ont pas encore été calculés : le serveur les calcule à son démarrage puis régulièrement (l'opérateur peut aussi lancer POST /api/v1/indicators/refresh). Réessayez dans quelques minutes."},
		{passnum.ENOTFOUND, "scope-not-found", "Périmètre introuvable", "Ce périmètre n'existe pas ou vous n'avez pas le droit d'en lire les indicateurs : un financeur lit son périmètre et celui de ses programmes, un hub celui de son territoire. GET /api/v1/indicator-scopes donne les vôtres."},

		{passnum.ECONFLICT, "already-credited", "Avoirs déjà émis", "Les avoirs du programme ont déjà été émis : ils ne le sont qu'une fois."},
	} {
		problemTypes[p.reason] = problemType{Type: problemTypeBase + p.reason, Reason: p.reason,
			Status: httpStatus(p.code, p.reason), Title: p.title, Description: p.description}
	}
}

// titleOf returns the short French title of a problem.
func titleOf(code, reason string) string {
	if p, ok := problemTypes[reason]; ok {
		return p.Title
	}
	return problemTypes[code].Title
}

// rateLimited is a refusal of the rate limiters: a problem with the instant
// the client may try again.
type rateLimited struct {
	err     *passnum.Error
	retryAt time.Time
}

func (e *rateLimited) Error() string { return e.err.Error() }
func (e *rateLimited) Unwrap() error { return e.err }

// errPanic stands for a handler that panicked; its detail is in the log.
var errPanic = errors.New("handler panicked")

// writeError answers with the problem describing err. Internal errors are
// logged with their detail and shown only as the generic French message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.ClientGone(r, err) {
		// Nobody is there to read a problem, and nothing went wrong on
		// our side: recorded as 499, not as an internal error.
		httpx.ClientClosed(w)
		return
	}
	code, reason := passnum.ErrorCode(err), passnum.ErrorReason(err)
	status := httpStatus(code, reason)
	if status == http.StatusInternalServerError && err != errPanic {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method,
			"pattern", httpx.EntryFrom(r.Context()).Pattern, "err", err)
	}
	p := Problem{
		Type:     problemTypeBase + reason,
		Title:    titleOf(code, reason),
		Status:   status,
		Detail:   passnum.ErrorMessage(err),
		Instance: r.URL.Path,
	}
	var e *passnum.Error
	if errors.As(err, &e) {
		p.Field, p.Passes = e.Field, e.Passes
		for _, pr := range e.Problems {
			p.Errors = append(p.Errors, InputError(pr))
		}
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="passnum"`)
	case http.StatusTooManyRequests:
		var rl *rateLimited
		if errors.As(err, &rl) {
			w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(rl.retryAt.Sub(s.now()))))
		}
	case http.StatusServiceUnavailable:
		httpx.SetRetryAfter(w, status)
	}
	body, mErr := json.Marshal(p)
	if mErr != nil { // cannot happen with these types; keep the client informed anyway
		body = []byte(fmt.Sprintf(`{"type":%q,"title":"Erreur interne","status":500}`, problemTypeBase+"internal"))
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Del("Content-Disposition") // an export that failed before its first byte
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// getProblemType serves the description of a problem type, so that the
// type URI of every problem answer dereferences.
func (s *Server) getProblemType(w http.ResponseWriter, r *http.Request) error {
	p, ok := problemTypes[r.PathValue("type")]
	if !ok {
		return passnum.Errorf(passnum.ENOTFOUND, "not-found", "Type de problème inconnu : %q.", r.PathValue("type"))
	}
	return writeJSON(w, http.StatusOK, p)
}
