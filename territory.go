package passnum

import (
	"regexp"
	"sort"
	"strings"
)

// A programme's territory is a list of areas, each a région, a département or
// a commune, written "region:53", "departement:35" or "commune:35238": the
// prefix is needed because région and département codes overlap ("84" is
// both Auvergne-Rhône-Alpes and Vaucluse).

// AreaLevel is the level of an area of a territory.
type AreaLevel string

// Area levels.
const (
	LevelRegion      AreaLevel = "region"
	LevelDepartement AreaLevel = "departement"
	LevelCommune     AreaLevel = "commune"
)

// Area is one région, département or commune.
type Area struct {
	Level AreaLevel
	Code  string
}

func (a Area) String() string { return string(a.Level) + ":" + a.Code }

var communePattern = regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}$`)

// ValidateCommune checks the form of a commune's INSEE code (the pattern of
// the national venue data standard) and that its département exists.
func ValidateCommune(code string) error {
	if !communePattern.MatchString(code) || RegionOfDepartement(DepartementOfCommune(code)) == "" {
		return Invalid("commune_insee", "Code INSEE de commune invalide : %q (5 caractères, par exemple 35238).", code)
	}
	return nil
}

// DepartementOfCommune returns the département code of a commune INSEE code:
// three characters overseas (971…976), two elsewhere (2A and 2B for Corsica).
func DepartementOfCommune(code string) string {
	if len(code) != 5 {
		return ""
	}
	if strings.HasPrefix(code, "97") {
		return code[:3]
	}
	return code[:2]
}

// departementRegion maps each département to its région (COG 2024).
var departementRegion = map[string]string{}

func init() {
	for region, deps := range map[string]string{
		"84": "01 03 07 15 26 38 42 43 63 69 73 74",
		"27": "21 25 39 58 70 71 89 90",
		"53": "22 29 35 56",
		"24": "18 28 36 37 41 45",
		"94": "2A 2B",
		"44": "08 10 51 52 54 55 57 67 68 88",
		"32": "02 59 60 62 80",
		"11": "75 77 78 91 92 93 94 95",
		"28": "14 27 50 61 76",
		"75": "16 17 19 23 24 33 40 47 64 79 86 87",
		"76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
		"52": "44 49 53 72 85",
		"93": "04 05 06 13 83 84",
		"01": "971", "02": "972", "03": "973", "04": "974", "06": "976",
	} {
		for _, d := range strings.Fields(deps) {
			departementRegion[d] = region
		}
	}
}

// RegionOfDepartement returns the région code of a département, or "".
func RegionOfDepartement(dep string) string { return departementRegion[dep] }

// DepartementsOfRegion returns the départements of a région, sorted, or
// nil for an unknown code: queries that select by département (a commune's
// first characters) read a région as its départements.
func DepartementsOfRegion(region string) []string {
	var out []string
	for d, r := range departementRegion {
		if r == region {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

func regionExists(code string) bool {
	for _, r := range departementRegion {
		if r == code {
			return true
		}
	}
	return false
}

// ParseArea reads "region:53", "departement:35" or "commune:35238".
func ParseArea(s string) (Area, error) {
	level, code, ok := strings.Cut(strings.TrimSpace(s), ":")
	a := Area{Level: AreaLevel(strings.ToLower(level)), Code: strings.ToUpper(code)}
	bad := Invalid("territory", "Zone invalide : %q. Écrivez region:53, departement:35 ou commune:35238.", s)
	if !ok {
		return a, bad
	}
	switch a.Level {
	case LevelRegion:
		if !regionExists(a.Code) {
			return a, bad
		}
	case LevelDepartement:
		if RegionOfDepartement(a.Code) == "" {
			return a, bad
		}
	case LevelCommune:
		if ValidateCommune(a.Code) != nil {
			return a, bad
		}
	default:
		return a, bad
	}
	return a, nil
}

// Territory is the set of areas where a programme's passes may be redeemed.
type Territory []Area

// ParseTerritory reads a list of areas; it must not be empty.
func ParseTerritory(areas []string) (Territory, error) {
	if len(areas) == 0 {
		return nil, Invalid("territory", "Le territoire doit compter au moins une zone.")
	}
	t := make(Territory, 0, len(areas))
	seen := map[Area]bool{}
	for _, s := range areas {
		a, err := ParseArea(s)
		if err != nil {
			return nil, err
		}
		if !seen[a] {
			seen[a] = true
			t = append(t, a)
		}
	}
	sort.Slice(t, func(i, j int) bool { return t[i].String() < t[j].String() })
	return t, nil
}

// Strings renders the territory as "level:code" strings.
func (t Territory) Strings() []string {
	out := make([]string, len(t))
	for i, a := range t {
		out[i] = a.String()
	}
	return out
}

// Contains tells whether a commune lies in the territory.
func (t Territory) Contains(commune string) bool {
	dep := DepartementOfCommune(commune)
	reg := RegionOfDepartement(dep)
	for _, a := range t {
		switch a.Level {
		case LevelCommune:
			if a.Code == commune {
				return true
			}
		case LevelDepartement:
			if a.Code == dep {
				return true
			}
		case LevelRegion:
			if a.Code == reg {
				return true
			}
		}
	}
	return false
}

// Overlaps tells whether two territories share a place: an area of one is,
// contains or lies in an area of the other. A programme valid in a
// département concerns a hub of that département, of its région or of a
// commune in it; it does not concern a hub of another département.
func (t Territory) Overlaps(u Territory) bool {
	for _, a := range t {
		for _, b := range u {
			if a.within(b) || b.within(a) {
				return true
			}
		}
	}
	return false
}

// within tells whether area a is area b or lies in it.
func (a Area) within(b Area) bool {
	if a == b {
		return true
	}
	switch b.Level {
	case LevelRegion:
		switch a.Level {
		case LevelDepartement:
			return RegionOfDepartement(a.Code) == b.Code
		case LevelCommune:
			return RegionOfDepartement(DepartementOfCommune(a.Code)) == b.Code
		}
	case LevelDepartement:
		return a.Level == LevelCommune && DepartementOfCommune(a.Code) == b.Code
	}
	return false
}
