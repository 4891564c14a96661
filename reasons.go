package passnum

// Reasons.
//
// Every error of the platform that people or programs may act upon carries
// a reason: a stable slug in kebab case, which the API gives as the type of
// its problem answers (/api/problems/<reason>) and which programs compare.
// A reason's string never changes once published. Each is declared here,
// by area, and the table below gives each its code, its short French title
// and a description of what it means and what to do, which the API serves
// at its problem type's address. An error without a reason of its own
// gives its code as its reason (ErrorReason).

// ReasonInfo describes one reason: the code of the errors that give it,
// its short French title and what it means, in French.
type ReasonInfo struct {
	Reason      string
	Code        string
	Title       string
	Description string
}

// Reasons of calls for projects, applications and conventions (call.go).
const (
	ReasonCallClosed            = "call-closed"
	ReasonApplicantIneligible   = "applicant-ineligible"
	ReasonApplicationIncomplete = "application-incomplete"
	ReasonApplicationState      = "application-state"
	ReasonMatchingRule          = "matching-rule"
	ReasonEnvelopeExceeded      = "envelope-exceeded"
	ReasonBelowPaid             = "below-paid"
	ReasonOverCalled            = "over-called"
	// Attachments of applications (attachment.go).
	ReasonAttachmentNotPDF   = "attachment-not-pdf"
	ReasonAttachmentTooLarge = "attachment-too-large"
	ReasonAttachmentLimit    = "attachment-limit"
)

// ReasonInternal is the reason of internal errors, whose detail people
// never see.
const ReasonInternal = "internal"

// Reasons of EUNAVAILABLE errors: nothing was recorded, the same request
// may be sent again later.
const (
	// ReasonStorageFull: the database has no space left to write in.
	ReasonStorageFull = "storage-full"
	// ReasonServerOverloaded: the database lacks another resource
	// (connections, memory) for the moment.
	ReasonServerOverloaded = "server-overloaded"
	// ReasonServerBusy: a write met concurrent ones on the same data at
	// every one of its attempts.
	ReasonServerBusy = "server-busy"
	// ReasonDatabaseUnavailable: the database could not be reached (down,
	// restarting, or its standby being promoted).
	ReasonDatabaseUnavailable = "database-unavailable"
	// ReasonOutcomeUnknown: the connection to the database broke while a
	// write was being committed; it may or may not have been recorded.
	ReasonOutcomeUnknown = "outcome-unknown"
)

// Reasons of requests as such.
const (
	// ReasonInvalidInput: one input field is wrong (Invalid).
	ReasonInvalidInput = "invalid-input"
	// ReasonControlCharacter: a text holds a character it may not hold
	// (CheckLine, CheckText).
	ReasonControlCharacter = "control-character"
	ReasonNotFound         = "not-found"
)

// Reasons of identity and permissions.
const (
	ReasonUnauthenticated   = "unauthenticated"
	ReasonBadToken          = "bad-token"
	ReasonBadCredentials    = "bad-credentials"
	ReasonForbidden         = "forbidden"
	ReasonNotAMember        = "not-a-member"
	ReasonNoMembership      = "no-membership"
	ReasonSessionExpired    = "session-expired"
	ReasonResetTokenInvalid = "reset-token-invalid"
	// ReasonAddressUnconfirmed: the password is right, but the account's
	// address is not confirmed yet.
	ReasonAddressUnconfirmed = "address-unconfirmed"
	// ReasonAccountLinkInvalid: an invitation or confirmation link that
	// is unknown, used, or expired.
	ReasonAccountLinkInvalid = "account-link-invalid"
	// ReasonInvitationAccepted: the invitation to resend was accepted.
	ReasonInvitationAccepted = "invitation-accepted"
	// ReasonSecondFactorPending: the session waits for its second
	// factor and may do nothing else.
	ReasonSecondFactorPending = "second-factor-pending"
	// ReasonSecondFactorInvalid: the code or passkey did not prove the
	// second factor.
	ReasonSecondFactorInvalid = "second-factor-invalid"
	// ReasonWeakPassword is the reason of CheckPassword's refusals.
	ReasonWeakPassword = "weak-password"
	ReasonEmailTaken   = "email-taken"
)

// Reasons of organisations and the venue network.
const (
	ReasonSiretTaken        = "siret-taken"
	ReasonVenueIDTaken      = "venue-id-taken"
	ReasonQualificationMove = "qualification-move"
	ReasonFileIncomplete    = "file-incomplete"
	ReasonImportInvalid     = "import-invalid"
	ReasonImportExpired     = "import-expired"
)

// Reasons of programmes, funds and issuance.
const (
	ReasonPaymentOrderDuplicate = "payment-order-duplicate"
	ReasonBudgetExceeded        = "budget-exceeded"
	ReasonProgrammeExpired      = "programme-expired"
	ReasonNothingToActivate     = "nothing-to-activate"
	ReasonFundsInsufficient     = "funds-insufficient"
)

// Reasons of carnets and beneficiaries.
const (
	ReasonCarnetNotActivated       = "carnet-not-activated"
	ReasonCarnetUnavailable        = "carnet-unavailable"
	ReasonCarnetAlreadyDistributed = "carnet-already-distributed"
	ReasonCarnetNotInStock         = "carnet-not-in-stock"
	ReasonCarnetBlocked            = "carnet-blocked"
	ReasonCarnetUnknown            = "carnet-unknown"
	ReasonBeneficiaryUnknown       = "beneficiary-unknown"
	ReasonNothingToBlock           = "nothing-to-block"
	ReasonNothingToUnblock         = "nothing-to-unblock"
)

// Reasons of pass checks and redemptions: those of one pass are the
// Reason of its PassCheck too.
const (
	ReasonMalformed       = "pass-code-malformed"
	ReasonUnknown         = "pass-unknown"
	ReasonForged          = "pass-forged"
	ReasonDuplicate       = "pass-duplicate"
	ReasonNotActivated    = "pass-not-activated"
	ReasonNotDistributed  = "pass-not-distributed"
	ReasonBlocked         = "pass-blocked"
	ReasonNotYetValid     = "pass-not-yet-valid"
	ReasonExpired         = "pass-expired"
	ReasonAlreadyRedeemed = "pass-already-redeemed"
	ReasonVenueNotQual    = "venue-not-qualified"
	ReasonOutsideTerr     = "venue-outside-territory"
	ReasonServiceNotAllow = "service-not-allowed"
	ReasonServiceUnknown  = "service-unknown"
	ReasonPassCount       = "pass-count-mismatch"
	ReasonPassesRefused   = "passes-refused"

	ReasonIdempotencyKeyReused = "idempotency-key-reused"
	ReasonAlreadyVoided        = "already-voided"
	ReasonVoidWindowClosed     = "void-window-closed"
	ReasonAlreadySettled       = "already-settled"
	// ReasonTooManyBadCodes: checks and redemptions of an organisation
	// suspended after too many bad pass codes (the API and the pages).
	ReasonTooManyBadCodes = "too-many-bad-codes"
)

// Reasons of workshop sessions, registrations and activity reports.
const (
	ReasonSessionFull           = "session-full"
	ReasonSessionCancelled      = "session-cancelled"
	ReasonSessionOver           = "session-over"
	ReasonSessionNotStarted     = "session-not-started"
	ReasonSessionHeld           = "session-held"
	ReasonSessionRedeemed       = "session-redeemed"
	ReasonAlreadyRegistered     = "already-registered"
	ReasonRegistrationCancelled = "registration-cancelled"
	ReasonAttendanceRecorded    = "attendance-recorded"
	ReasonRedemptionReported    = "redemption-reported"
)

// Reasons of settlement: statements, payment batches, credit notes.
const (
	ReasonStatementState      = "statement-state"
	ReasonStatementNotBatched = "statement-not-batched"
	ReasonNoPayerAccount      = "no-payer-account"
	ReasonNoBankAccount       = "no-bank-account"
	ReasonNothingToPay        = "nothing-to-pay"
	ReasonNotExpired          = "not-expired"
	ReasonExpiryPending       = "expiry-pending"
	ReasonAlreadyCredited     = "already-credited"
)

// Reasons of indicators.
const (
	ReasonNoIndicators  = "no-indicators"
	ReasonScopeNotFound = "scope-not-found"
)

// Reasons of the rights of the person and of retention.
const (
	// ReasonErasureUnbalances: erasing the person now would leave value
	// in the books that belongs to nobody (passes still usable, or a use
	// that can still be voided).
	ReasonErasureUnbalances = "erasure-unbalances"
	// ReasonBeneficiaryRestricted: the person restricted the use of their
	// record (article 18): no new carnet nor registration.
	ReasonBeneficiaryRestricted = "beneficiary-restricted"
	// ReasonRetentionRunning: another server (or command) is running the
	// retention job.
	ReasonRetentionRunning = "retention-running"
)

// Reasons of the audit journal's hash chain (passnum audit verify).
const (
	// ReasonAuditChainBroken: an entry of the journal was edited, deleted,
	// moved or inserted behind the platform's back.
	ReasonAuditChainBroken = "audit-chain-broken"
	// ReasonAuditAnchorMissing: the journal no longer holds an anchor
	// kept outside: it was rewritten since.
	ReasonAuditAnchorMissing = "audit-anchor-missing"
)

// Reasons of the register of rights requests.
const (
	ReasonRightsRequestAnswered  = "rights-request-answered"
	ReasonRightsRequestExtension = "rights-request-extension"
)

// Reasons of the journal of personal reads (personal_read.go).
const (
	// ReasonReadReasonRequired: the operator's staff say why they open a
	// beneficiary's record.
	ReasonReadReasonRequired = "read-reason-required"
)

// reasons describes every reason above, and the codes given as reasons.
var reasons = [...]ReasonInfo{
	// Generic reasons: an error without a reason of its own has its code
	// as reason. EFORBIDDEN's is ReasonForbidden, below.
	{EINVALID, EINVALID, "Requête invalide", "La requête est mal formée ou incomplète ; le détail dit quoi corriger."},
	{EUNAUTHORIZED, EUNAUTHORIZED, "Authentification requise", "Aucun identifiant valide n'accompagne la requête."},
	{ENOTFOUND, ENOTFOUND, "Introuvable", "L'objet n'existe pas ou n'est pas visible pour votre organisation."},
	{ECONFLICT, ECONFLICT, "Conflit", "La requête contredit l'état actuel des données."},
	{EREFUSED, EREFUSED, "Opération refusée", "Une règle du programme refuse l'opération."},
	{ERATELIMIT, ERATELIMIT, "Trop de tentatives", "Trop de requêtes en peu de temps : réessayez plus tard."},
	{ReasonInternal, EINTERNAL, "Erreur interne", "Une panne ou un défaut du logiciel : l'incident est enregistré pour l'opérateur, réessayez plus tard."},
	{EUNAVAILABLE, EUNAVAILABLE, "Service momentanément indisponible", "Le serveur ne peut pas traiter la requête pour le moment ; rien n'a été enregistré. L'en-tête Retry-After dit quand réessayer."},
	{ReasonStorageFull, EUNAVAILABLE, "Espace disque plein", "L'espace disque de la base de données est plein : le serveur ne peut rien enregistrer, et rien ne l'a été (aucun pass encaissé). L'opérateur est prévenu ; renvoyez la même requête (avec la même clé d'idempotence) après le délai de l'en-tête Retry-After."},
	{ReasonServerBusy, EUNAVAILABLE, "Serveur occupé", "Trop d'opérations simultanées portaient sur les mêmes données : après plusieurs essais, rien n'a été enregistré ; renvoyez la même requête (avec la même clé d'idempotence) après le délai de l'en-tête Retry-After, d'une seconde."},
	{ReasonDatabaseUnavailable, EUNAVAILABLE, "Base de données injoignable", "Le serveur ne joint pas sa base de données (arrêt, redémarrage, ou bascule vers son serveur de secours) : rien n'a été enregistré ; renvoyez la même requête (avec la même clé d'idempotence) après le délai de l'en-tête Retry-After."},
	{ReasonOutcomeUnknown, EUNAVAILABLE, "Issue inconnue", "La connexion à la base de données s'est rompue pendant que l'opération était enregistrée : elle a pu l'être ou non. Renvoyez la même requête avec la même clé d'idempotence après le délai de l'en-tête Retry-After : si l'encaissement avait été enregistré, la réponse est celle du premier envoi (200), sinon il est fait alors ; jamais deux fois. Une requête sans clé d'idempotence se vérifie avant d'être renvoyée."},
	{ReasonServerOverloaded, EUNAVAILABLE, "Serveur surchargé", "La base de données manque pour le moment de connexions ou de mémoire : rien n'a été enregistré ; renvoyez la même requête après le délai de l'en-tête Retry-After."},

	// Requests.
	{ReasonInvalidInput, EINVALID, "Donnée invalide", "Un champ de la requête est invalide ; l'extension « field » le nomme."},
	{ReasonControlCharacter, EINVALID, "Caractère refusé", "Un champ contient un caractère de contrôle (NUL, BEL, ESC…, ou un retour à la ligne ou une tabulation dans un champ d'une ligne), un caractère invisible qui change le sens de l'écriture (U+202E…), le caractère de remplacement U+FFFD, ou des octets qui ne sont pas de l'UTF-8 ; l'extension « field » nomme le champ. Rien n'a été enregistré."},
	{ReasonNotFound, ENOTFOUND, "Introuvable", "L'objet n'existe pas ou n'est pas visible pour votre organisation."},

	// Identity and permissions.
	{ReasonUnauthenticated, EUNAUTHORIZED, "Authentification requise", "Ajoutez l'en-tête Authorization: Bearer suivi du jeton d'accès de votre organisation."},
	{ReasonBadToken, EUNAUTHORIZED, "Jeton d'accès refusé", "Le jeton d'accès est inconnu ou a été révoqué."},
	{ReasonBadCredentials, EUNAUTHORIZED, "Identifiants incorrects", "L'adresse électronique ou le mot de passe est incorrect."},
	{ReasonForbidden, EFORBIDDEN, "Action non autorisée", "Le type de votre organisation ou votre rôle (admin, agent) ne permet pas cette action."},
	{ReasonNotAMember, EFORBIDDEN, "Organisation non autorisée", "Vous n'êtes pas membre de cette organisation."},
	{ReasonNoMembership, EFORBIDDEN, "Compte sans organisation", "Le compte n'est rattaché à aucune organisation : un administrateur doit l'y ajouter avant la première connexion."},
	{ReasonSessionExpired, EUNAUTHORIZED, "Session expirée", "La session est inconnue, expirée ou fermée, ou son organisation n'est plus la vôtre : reconnectez-vous."},
	{ReasonSecondFactorPending, EUNAUTHORIZED, "Second facteur attendu", "La session attend le second facteur (code de l'application, clé d'accès ou code de secours) : rien d'autre n'est possible avant."},
	{ReasonSecondFactorInvalid, EUNAUTHORIZED, "Second facteur refusé", "Le code est incorrect, a déjà servi ou a expiré, ou la clé d'accès n'a pas été reconnue."},
	{ReasonResetTokenInvalid, EINVALID, "Lien de réinitialisation périmé", "Le lien de réinitialisation du mot de passe a déjà servi ou a expiré : demandez-en un nouveau."},
	{ReasonAddressUnconfirmed, EUNAUTHORIZED, "Adresse à confirmer", "Le mot de passe est juste, mais l'adresse électronique du compte n'est pas encore confirmée : suivez le lien reçu par courriel, ou demandez-en un nouveau."},
	{ReasonAccountLinkInvalid, EINVALID, "Lien périmé", "Le lien d'invitation ou de confirmation est inconnu, a déjà servi ou a expiré : demandez-en un nouveau."},
	{ReasonInvitationAccepted, ECONFLICT, "Invitation déjà acceptée", "La personne a déjà accepté son invitation et choisi son mot de passe : elle se connecte, ou utilise « Mot de passe oublié »."},

	// Organisations, people, catalogue.
	{ReasonSiretTaken, ECONFLICT, "SIRET déjà enregistré", "Un lieu de médiation porte déjà ce SIRET : un SIRET identifie un seul lieu."},
	{ReasonVenueIDTaken, ECONFLICT, "Identifiant de lieu déjà pris", "Un autre lieu porte déjà cet identifiant du standard (id) : chaque lieu a le sien. Si c'est le vôtre, l'opérateur peut vous y rattacher."},
	{ReasonQualificationMove, ECONFLICT, "Changement de statut impossible", "Le circuit de qualification ne permet pas ce changement depuis le statut actuel du lieu ; le détail donne les décisions possibles."},
	{ReasonFileIncomplete, ECONFLICT, "Dossier incomplet", "Il manque au dossier du lieu le questionnaire, le compte bancaire ou la charte acceptée : demandez des compléments avant de le qualifier."},
	{ReasonImportExpired, ECONFLICT, "Import plus en attente", "L'import vérifié n'attend plus sa confirmation : plus de 30 minutes ont passé, il a déjà été confirmé, ou c'est celui d'une autre personne. Envoyez le fichier de nouveau ; rien n'a été importé."},
	{ReasonImportInvalid, EINVALID, "Fichier à corriger", "Des lignes du fichier importé ne respectent pas le standard des lieux de médiation numérique ; l'extension « errors » donne chaque ligne, chaque champ et le problème. Rien n'a été importé."},
	{ReasonWeakPassword, EINVALID, "Mot de passe trop facile à deviner", "Le mot de passe est trop court (12 caractères au moins), contient un caractère invisible, ou se devine vite : l'un des mots de passe les plus courants (seul ou avec quelques chiffres ou signes autour), un même caractère répété, une suite (1234…, abcd…, azerty…), un même morceau répété, ou le nom ou l'adresse électronique de la personne. Le détail dit lequel, sans répéter le mot de passe."},
	{ReasonEmailTaken, ECONFLICT, "Adresse déjà utilisée", "Un compte existe déjà pour cette adresse : ajoutez-lui une appartenance plutôt qu'un nouveau compte."},

	// Programmes, funds, issuance.
	{ReasonPaymentOrderDuplicate, ECONFLICT, "Ordre de paiement déjà enregistré", "Cette référence d'ordre de paiement est déjà enregistrée pour le programme."},
	{ReasonBudgetExceeded, EREFUSED, "Budget dépassé", "L'émission dépasserait le budget financé du programme."},
	{ReasonProgrammeExpired, EREFUSED, "Programme expiré", "La validité du programme (tolérance comprise) est passée."},
	{ReasonNothingToActivate, ECONFLICT, "Rien à activer", "Les pass demandés sont déjà activés ou bloqués."},
	{ReasonFundsInsufficient, EREFUSED, "Fonds insuffisants", "Les fonds reçus des financeurs ne couvrent pas les pass à activer : enregistrez d'abord l'ordre de paiement."},

	// Calls for projects, applications, conventions.
	{ReasonCallClosed, EREFUSED, "Appel à projets clos", "L'appel à projets n'est pas ouvert aux candidatures à cette date : le détail donne ses dates d'ouverture et de clôture."},
	{ReasonApplicantIneligible, EREFUSED, "Candidat non éligible", "Le type de collectivité ou le territoire de la candidature n'est pas de ceux que l'appel à projets accepte."},
	{ReasonApplicationIncomplete, EREFUSED, "Candidature incomplète", "Il manque une partie du dossier (titre, territoire, objectifs, budget, engagement propre de la collectivité, réponses aux questions) : le détail nomme la première. Rien n'a été déposé."},
	{ReasonApplicationState, ECONFLICT, "État de la candidature incompatible", "La candidature n'est pas dans l'état que l'opération demande : on modifie un brouillon, on dépose un brouillon, on retient ou refuse une candidature déposée."},
	{ReasonMatchingRule, EREFUSED, "Règle de cofinancement non respectée", "La part du financeur de l'appel dans la convention dépasserait le plafond de l'appel (50 % par défaut) : la collectivité et ses cofinanceurs apportent le reste. Rien n'a été enregistré."},
	{ReasonEnvelopeExceeded, EREFUSED, "Enveloppe dépassée", "Le montant engagé dépasserait l'enveloppe de l'appel à projets : le détail donne ce qui reste. Rien n'a été enregistré."},
	{ReasonOverCalled, EREFUSED, "Appel de fonds au-delà de l'engagement", "Ce qui est appelé à un financeur pour une année dépasserait son engagement dans la convention pour cette année (ou un avenant le ramènerait sous ce qui lui est déjà appelé) : le détail donne les montants. Rien n'a été enregistré."},
	{ReasonBelowPaid, EREFUSED, "Montant inférieur au déjà versé", "L'avenant ramènerait l'engagement d'un financeur en dessous de ce qu'il a déjà versé pour la convention : le détail donne les deux montants. Rien n'a été enregistré."},
	{ReasonAttachmentNotPDF, EINVALID, "Pièce jointe qui n'est pas un PDF", "Le fichier envoyé est vide ou n'est pas un PDF : son contenu doit commencer par « %PDF- » et se terminer par « %%EOF », quel que soit son nom. Rien n'a été joint."},
	{ReasonAttachmentTooLarge, EINVALID, "Pièce jointe trop volumineuse", "Le fichier dépasse 10 Mo, la taille maximale d'une pièce jointe : il est refusé dès que cette taille est dépassée, sans être lu en entier. Rien n'a été joint."},
	{ReasonAttachmentLimit, EREFUSED, "Trop de pièces jointes", "La candidature compte déjà 20 pièces jointes, le maximum : retirez-en une avant d'en joindre une autre."},

	// Carnets and beneficiaries.
	{ReasonCarnetNotActivated, EREFUSED, "Carnet non activé", "Le carnet n'est pas encore activé : il ne peut pas être attribué."},
	{ReasonCarnetUnavailable, EREFUSED, "Carnet indisponible", "Le carnet contient un pass bloqué, utilisé ou expiré : il ne peut pas être attribué."},
	{ReasonCarnetAlreadyDistributed, EREFUSED, "Carnet déjà remis", "Le carnet a déjà été remis à un bénéficiaire."},
	{ReasonCarnetNotInStock, EREFUSED, "Carnet hors de votre stock", "Le carnet n'a pas été attribué à votre structure."},
	{ReasonCarnetBlocked, EREFUSED, "Carnet bloqué", "Le carnet est bloqué par le financeur ou l'opérateur."},
	{ReasonCarnetUnknown, ENOTFOUND, "Carnet introuvable", "Aucun carnet ne correspond à ce code de pass. Qu'il soit inconnu, mal saisi ou falsifié, la réponse est la même."},
	{ReasonBeneficiaryUnknown, ENOTFOUND, "Bénéficiaire inconnu", "Aucun bénéficiaire de votre structure n'a cette référence."},
	{ReasonNothingToBlock, ECONFLICT, "Rien à bloquer", "Les pass visés sont déjà utilisés, bloqués ou expirés."},
	{ReasonNothingToUnblock, ECONFLICT, "Rien à débloquer", "Aucun pass n'est bloqué à ce niveau."},

	// Checks and redemptions.
	{ReasonMalformed, EREFUSED, "Code de pass mal saisi", "Le code n'a pas la forme d'un code de pass, ou son caractère de contrôle ne correspond pas."},
	{ReasonUnknown, EREFUSED, "Code de pass inconnu", "Aucun pass ne porte ce code."},
	{ReasonForged, EREFUSED, "QR code falsifié", "La signature du QR code ne correspond à aucun pass émis."},
	{ReasonDuplicate, EREFUSED, "Pass en double", "Le même pass figure deux fois dans la liste."},
	{ReasonNotActivated, EREFUSED, "Pass non activé", "Le financeur n'a pas encore versé les fonds de ce pass."},
	{ReasonNotDistributed, EREFUSED, "Pass non remis", "Le pass n'a pas été remis à une personne par un prescripteur."},
	{ReasonBlocked, EREFUSED, "Pass bloqué", "Le pass est bloqué (perte, vol, fin de distribution…)."},
	{ReasonNotYetValid, EREFUSED, "Pass pas encore valable", "La période de validité du pass n'a pas commencé."},
	{ReasonExpired, EREFUSED, "Pass expiré", "La validité du pass, tolérance comprise, est passée."},
	{ReasonAlreadyRedeemed, EREFUSED, "Pass déjà utilisé", "Le pass a déjà été encaissé."},
	{ReasonVenueNotQual, EREFUSED, "Lieu non qualifié", "Seul un lieu qualifié encaisse des pass, rédige des comptes rendus d'activité, programme des séances, y inscrit des personnes et crée des comptes pour son équipe ; le détail dit le statut du lieu."},
	{ReasonOutsideTerr, EREFUSED, "Hors du territoire du programme", "Le programme du pass ne couvre pas la commune du lieu."},
	{ReasonServiceNotAllow, EREFUSED, "Service non financé", "Le programme du pass ne finance pas cette catégorie de service."},
	{ReasonServiceUnknown, EREFUSED, "Service inconnu", "Le service ne figure pas (ou plus) au catalogue du lieu."},
	{ReasonPassCount, EREFUSED, "Nombre de pass incorrect", "Le nombre de pass ne correspond pas à un nombre entier de personnes au prix du service."},
	{ReasonPassesRefused, EREFUSED, "Pass refusés", "Plusieurs pass sont refusés pour des raisons différentes ; l'extension « passes » donne le verdict sur chacun. Aucun pass n'a été encaissé."},
	{ReasonIdempotencyKeyReused, ECONFLICT, "Clé d'idempotence déjà utilisée", "La clé d'idempotence a déjà servi pour un autre encaissement : chaque encaissement a sa clé."},
	{ReasonAlreadyVoided, ECONFLICT, "Encaissement déjà annulé", "L'encaissement a déjà été annulé."},
	{ReasonVoidWindowClosed, EREFUSED, "Délai d'annulation dépassé", "Un lieu annule son encaissement dans les 24 heures ; au-delà, il s'adresse à l'opérateur."},
	{ReasonAlreadySettled, EREFUSED, "Encaissement déjà remboursé", "Un encaissement remboursé au lieu ne s'annule plus."},
	{ReasonTooManyBadCodes, ERATELIMIT, "Trop de codes refusés", "Votre organisation a présenté trop de codes de pass inconnus, falsifiés ou mal saisis en peu de temps : contrôles et encaissements sont suspendus jusqu'à l'heure indiquée (en-tête Retry-After), pour empêcher qu'on devine des codes."},

	// Sessions, registrations and activity reports.
	{ReasonSessionFull, ECONFLICT, "Séance complète", "Toutes les places de la séance sont prises : proposez une autre séance, ou augmentez sa capacité."},
	{ReasonSessionCancelled, ECONFLICT, "Séance annulée", "La séance a été annulée : on ne peut plus s'y inscrire ni y noter de présence, ni l'annuler de nouveau."},
	{ReasonSessionOver, EREFUSED, "Séance terminée", "La séance est terminée : on ne peut plus s'y inscrire."},
	{ReasonSessionNotStarted, EREFUSED, "Séance pas encore commencée", "La présence se note une fois la séance commencée."},
	{ReasonSessionHeld, ECONFLICT, "Séance déjà tenue", "Des présences sont enregistrées pour la séance : elle a eu lieu et ne peut plus être annulée."},
	{ReasonSessionRedeemed, ECONFLICT, "Séance déjà payée en pass", "Des pass ont été encaissés pour la séance : annulez d'abord ces encaissements pour annuler la séance."},
	{ReasonAlreadyRegistered, ECONFLICT, "Personne déjà inscrite", "Cette personne est déjà inscrite à la séance."},
	{ReasonRegistrationCancelled, ECONFLICT, "Inscription annulée", "L'inscription a été annulée : elle ne peut plus être annulée de nouveau ni recevoir de présence."},
	{ReasonAttendanceRecorded, ECONFLICT, "Présence enregistrée", "La personne est enregistrée présente : son inscription ne peut plus être annulée."},
	{ReasonRedemptionReported, ECONFLICT, "Encaissement déjà compté", "L'encaissement figure déjà dans un autre compte-rendu d'activité : un encaissement ne se compte qu'une fois."},

	// Settlement: statements, payment batches, credit notes.
	{ReasonStatementState, ECONFLICT, "État du relevé incompatible", "Le relevé n'est pas dans l'état que l'opération demande : on valide un brouillon, on déclare payé ou rejeté un relevé validé dont le virement est parti."},
	{ReasonStatementNotBatched, ECONFLICT, "Relevé hors lot de virements", "Le relevé n'est dans aucun lot de virements : créez d'abord un lot (POST /api/v1/payment-batches)."},
	{ReasonNoPayerAccount, EREFUSED, "Compte de l'opérateur manquant", "Le compte d'où partent les virements n'est pas renseigné : enregistrez-le d'abord (PUT /api/v1/payer-account)."},
	{ReasonNoBankAccount, EREFUSED, "Compte bancaire du lieu manquant", "Les lieux dont les relevés attendent un virement n'ont pas de coordonnées bancaires : le détail les nomme. Un lieu sans compte reste hors des lots jusqu'à ce qu'il les renseigne."},
	{ReasonNothingToPay, EREFUSED, "Rien à payer", "Aucun relevé validé n'attend de virement : validez d'abord des relevés."},
	{ReasonNotExpired, EREFUSED, "Programme encore valable", "Les pass du programme restent utilisables (validité et tolérance) : les avoirs viennent après."},
	{ReasonExpiryPending, EREFUSED, "Expiration à lancer", "Des pass du programme ne sont pas encore expirés : lancez d'abord l'expiration (POST /api/v1/expiry), puis émettez les avoirs."},
	{ReasonAlreadyCredited, ECONFLICT, "Avoirs déjà émis", "Les avoirs du programme ont déjà été émis : ils ne le sont qu'une fois."},

	// Indicators.
	{ReasonNoIndicators, ENOTFOUND, "Indicateurs pas encore calculés", "Les indicateurs et les données ouvertes n'ont pas encore été calculés : le serveur les calcule à son démarrage puis régulièrement (l'opérateur peut aussi lancer POST /api/v1/indicators/refresh). Réessayez dans quelques minutes."},
	{ReasonScopeNotFound, ENOTFOUND, "Périmètre introuvable", "Ce périmètre n'existe pas ou vous n'avez pas le droit d'en lire les indicateurs : un financeur lit son périmètre et celui de ses programmes, un hub celui de son territoire. GET /api/v1/indicator-scopes donne les vôtres."},

	// Rights of the person and retention.
	{ReasonErasureUnbalances, EREFUSED, "Effacement impossible pour le moment", "La personne détient encore des pass utilisables, ou un pass utilisé depuis peu dont l'encaissement peut encore être annulé : l'effacer laisserait dans les comptes une valeur qui n'appartient à personne. Attendez la fin de validité des pass (ou bloquez-les), ou le remboursement du lieu, puis effacez ; en attendant, la limitation du traitement protège la personne."},
	{ReasonBeneficiaryRestricted, EREFUSED, "Traitement limité", "La personne a demandé la limitation du traitement de ses données (article 18 du RGPD) : elle ne reçoit pas de nouveau carnet et n'est pas inscrite à une séance tant que la limitation dure."},
	{ReasonRetentionRunning, ECONFLICT, "Purge déjà en cours", "Un autre serveur ou une autre commande exécute la purge des données arrivées au terme de leur conservation : attendez qu'elle finisse."},
	// Sign-in with a provider (signin_provider.go).
	{ReasonProviderAccountUnknown, EUNAUTHORIZED, "Aucun compte pour cette adresse", "Aucun compte passnum n'a l'adresse électronique donnée par ProConnect : rien n'a été créé. Demandez à l'administrateur de votre structure de vous inviter avec cette adresse, puis reconnectez-vous."},
	{ReasonProviderEmailUnverified, EUNAUTHORIZED, "Adresse non vérifiée", "Le fournisseur d'identité indique que l'adresse électronique n'est pas vérifiée : elle ne peut pas désigner un compte. Connectez-vous avec votre mot de passe."},
	{ReasonProviderLinkConflict, ECONFLICT, "Compte déjà relié", "Le compte de cette adresse est déjà relié à une autre identité ProConnect. Connectez-vous avec votre mot de passe et retirez l'ancienne liaison dans « Connexion ProConnect », ou demandez à l'administrateur de votre structure."},
	// The register of rights requests.
	{ReasonRightsRequestAnswered, ECONFLICT, "Demande déjà traitée", "La demande a déjà reçu sa réponse : le registre la garde telle qu'elle a été donnée. Une nouvelle demande de la personne s'enregistre à part."},
	{ReasonRightsRequestExtension, ECONFLICT, "Prolongation impossible", "Le délai de réponse ne se prolonge qu'une fois, de deux mois, et avant la fin du premier mois (article 12.3 du RGPD) : répondez à la personne sans attendre."},

	// The journal of personal reads.
	{ReasonReadReasonRequired, EINVALID, "Motif de consultation demandé", "L'équipe de l'opérateur indique pourquoi elle ouvre la fiche d'une personne (paramètre reason de l'API, champ « motif » des pages) : la consultation est notée dans le journal des consultations, avec son motif."},
	// The audit journal's hash chain.
	{ReasonAuditChainBroken, ECONFLICT, "Journal d'audit altéré", "Une entrée du journal d'audit a été modifiée, supprimée, déplacée ou ajoutée directement dans la base : elle ne correspond plus à la chaîne d'empreintes. Le détail nomme la première ; passnum check les nomme toutes."},
	{ReasonAuditAnchorMissing, ECONFLICT, "Ancre du journal introuvable", "Le journal d'audit ne contient plus une ancre conservée à l'extérieur : il a été réécrit depuis qu'elle a été prise. Le détail nomme l'ancre."},
	// Outgoing e-mail (maildelivery.go).
	{ReasonMailAddress, EINVALID, "Adresse e-mail invalide", "Une adresse à laquelle un message serait envoyé est mal formée, en contient plusieurs ou contient un retour à la ligne (tentative d'ajouter un en-tête au message) : rien n'a été envoyé ni mis en file."},
	{ReasonMailNotFailed, ECONFLICT, "Message pas en échec", "Seul un message dont l'envoi a échoué peut être renvoyé : celui-ci est en attente, en cours d'envoi ou déjà parti."},
	{ReasonUnsubscribeInvalid, ENOTFOUND, "Lien de désabonnement invalide", "Le lien de désabonnement est inconnu ou a expiré (le message a été supprimé de la file). Les préférences de messages du compte permettent toujours de choisir ce que l'on reçoit."},
}

// Reasons returns the description of every reason the service can give.
func Reasons() []ReasonInfo {
	return append([]ReasonInfo(nil), reasons[:]...)
}
