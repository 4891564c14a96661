package passnum_test

import (
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/passnum/passnum"
)

// TestParseDirectoryQuery: what a directory search reads from a query, and
// the parameter each refusal names, as the API answers it and the pages
// map it to their fields.
func TestParseDirectoryQuery(t *testing.T) {
	read := []struct {
		query string
		want  passnum.DirectoryFilter
	}{
		{"", passnum.DirectoryFilter{}},
		{"commune=+35238+&radius_km=10", passnum.DirectoryFilter{Commune: "35238", RadiusKm: 10}},
		{"commune=2a004", passnum.DirectoryFilter{Commune: "2a004"}}, // Ajaccio, in lower case
		{"lat=48.1&lon=-1.67&radius_km=2.5", passnum.DirectoryFilter{Near: &passnum.LatLon{Lat: 48.1, Lon: -1.67}, RadiusKm: 2.5}},
		{"postal_code=35000", passnum.DirectoryFilter{PostalCode: "35000"}},
		{"category=Aide+aux+d%C3%A9marches+administratives&public=Seniors&support=Surdit%C3%A9",
			passnum.DirectoryFilter{Category: "Aide aux démarches administratives", Public: "Seniors", Support: "Surdité"}},
		{"passes=true&open_now=1", passnum.DirectoryFilter{Passes: true, OpenNow: true}},
		{"passes=false", passnum.DirectoryFilter{}},
		{"q=+m%C3%A9diath%C3%A8que+", passnum.DirectoryFilter{Query: "médiathèque"}},
		{"q=" + strings.Repeat("é", 200), passnum.DirectoryFilter{Query: strings.Repeat("é", 200)}}, // characters, not bytes
	}
	for _, tc := range read {
		q, _ := url.ParseQuery(tc.query)
		got, err := passnum.ParseDirectoryQuery(q)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.query, got, err, tc.want)
		}
	}
	refused := map[string]string{
		"lat=95&lon=2":                    "lat",
		"lat=NaN&lon=2":                   "lat",
		"lat=48.1":                        "lat",
		"lon=-1.6":                        "lat",
		"lat=48.1&lon=est":                "lon",
		"lat=48.1&lon=-190":               "lon",
		"commune=35238&radius_km=500":     "radius_km",
		"commune=35238&radius_km=0":       "radius_km",
		"commune=35238&radius_km=-3":      "radius_km",
		"commune=35238&radius_km=dix":     "radius_km",
		"commune=35238&radius_km=+Inf":    "radius_km",
		"radius_km=10":                    "radius_km",
		"postal_code=35000&radius_km=10":  "radius_km",
		"commune=35238&lat=48.1&lon=-1.6": "commune",
		"commune=Rennes":                  "commune",
		"commune=99999":                   "commune",
		"postal_code=350":                 "postal_code",
		"postal_code=3500A":               "postal_code",
		"category=Cuisine":                "category",
		"public=Retraités":                "public",
		"support=Braille":                 "support",
		"passes=oui":                      "passes",
		"open_now=2":                      "open_now",
		"q=" + strings.Repeat("a", 201):   "q",
	}
	for query, field := range refused {
		q, _ := url.ParseQuery(query)
		_, err := passnum.ParseDirectoryQuery(q)
		var e *passnum.Error
		if !asError(err, &e) || e.Code != passnum.EINVALID || e.Field != field || e.Message == "" {
			t.Errorf("%s: %v, want a refusal naming %q", query, err, field)
		}
	}
}

// TestDirectoryFilterValidate: the store's check of a filter it is given
// refuses what the query would have, under the same names.
func TestDirectoryFilterValidate(t *testing.T) {
	for _, tc := range []struct {
		f     passnum.DirectoryFilter
		field string // "" when valid
	}{
		{passnum.DirectoryFilter{}, ""},
		{passnum.DirectoryFilter{Commune: "35238", RadiusKm: 40, Territory: []string{"region:53"}}, ""},
		{passnum.DirectoryFilter{Commune: "99999"}, "commune"},
		{passnum.DirectoryFilter{PostalCode: "35"}, "postal_code"},
		{passnum.DirectoryFilter{Commune: "35238", RadiusKm: 500}, "radius_km"},
		{passnum.DirectoryFilter{Commune: "35238", RadiusKm: math.NaN()}, "radius_km"},
		{passnum.DirectoryFilter{RadiusKm: 10}, "radius_km"},
		{passnum.DirectoryFilter{Near: &passnum.LatLon{Lat: 91}}, "lat"},
		{passnum.DirectoryFilter{Near: &passnum.LatLon{Lon: math.NaN()}}, "lon"},
		{passnum.DirectoryFilter{Near: &passnum.LatLon{Lat: 48, Lon: -1}, Commune: "35238"}, "commune"},
		{passnum.DirectoryFilter{Category: "Piano"}, "category"},
		{passnum.DirectoryFilter{Public: "Chats"}, "public"},
		{passnum.DirectoryFilter{Support: "x"}, "support"},
		{passnum.DirectoryFilter{Territory: []string{"pays:FR"}}, "territory"},
	} {
		err := tc.f.Validate()
		var e *passnum.Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v", tc.f, err)
		case tc.field != "" && (!asError(err, &e) || e.Code != passnum.EINVALID || e.Field != tc.field):
			t.Errorf("%+v: %v, want a refusal naming %q", tc.f, err, tc.field)
		}
	}
}
