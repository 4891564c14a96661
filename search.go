package passnum

import "context"

// SearchResults are what the operator's search box found for one query:
// a pass by its short code, QR payload or serial, a carnet by its number,
// a beneficiary by reference, an organisation by SIRET or name.
type SearchResults struct {
	Query         string          `json:"query"`
	Passes        []*Pass         `json:"passes"`
	Carnets       []*Carnet       `json:"carnets"`
	Beneficiaries []*Beneficiary  `json:"beneficiaries"`
	Organisations []*Organisation `json:"organisations"`
}

// Empty tells whether nothing was found.
func (r *SearchResults) Empty() bool {
	return len(r.Passes)+len(r.Carnets)+len(r.Beneficiaries)+len(r.Organisations) == 0
}

// MaxSearchResults bounds each kind of result.
const MaxSearchResults = 20

// SearchService finds anything by the codes and names people read out.
type SearchService interface {
	Search(ctx context.Context, query string) (*SearchResults, error)
}
