package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
)

// nbsp is the narrow no-break space French typography puts between
// thousands and before units.
const nbsp = "\u202f"

// grouped writes n with thousands separated the French way: 1 000 000.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nbsp)
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// euros writes cents as "52 000,00 €".
func euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "−", -cents
	}
	return fmt.Sprintf("%s%s,%02d%s€", sign, grouped(cents/100), cents%100, nbsp)
}

// percent writes basis points as "50 %" or "33,33 %".
func percent(bp int) string {
	s := strconv.Itoa(bp / 100)
	if r := bp % 100; r != 0 {
		s += strings.TrimRight(fmt.Sprintf(",%02d", r), "0")
	}
	return s + nbsp + "%"
}

// ratio writes part/whole as a rounded percentage, "—" when whole is 0.
func ratio(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	return strconv.Itoa(int(math.Round(float64(part)*100/float64(whole)))) + nbsp + "%"
}

var funcs = template.FuncMap{
	"euros":   euros,
	"num":     func(n any) string { return grouped(toInt64(n)) },
	"percent": percent,
	"ratio":   func(a, b any) string { return ratio(toInt64(a), toInt64(b)) },
	"date":    passnum.FrenchDate,
	"datetime": func(t any) string {
		switch t := t.(type) {
		case time.Time:
			return passnum.FrenchDateTime(t)
		case *time.Time:
			if t == nil {
				return ""
			}
			return passnum.FrenchDateTime(*t)
		}
		return ""
	},
	"serial":    passnum.FormatSerial,
	"territory": describeTerritory,
	"commune":   communeName,
	"kindLabel": func(k passnum.OrgKind) string { return k.Label() },
	"qualLabel": func(q any) string { return qualificationLabel(passnum.Qualification(fmt.Sprint(q))) },
	"roleLabel": roleLabel,
	"add":       func(a, b int) int { return a + b },
	"sub":       func(a, b any) int64 { return toInt64(a) - toInt64(b) },
	"sub64":     func(a, b any) int64 { return toInt64(a) - toInt64(b) },
	"mul64":     func(a, b any) int64 { return toInt64(a) * toInt64(b) },
	"div64": func(a, b any) int64 {
		if toInt64(b) == 0 {
			return 0
		}
		return toInt64(a) / toInt64(b)
	},
	"plural": func(n any, one, many string) string {
		if v := toInt64(n); v > 1 || v < -1 {
			return many
		}
		return one
	},
	"join": strings.Join,
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"list":       func(xs ...string) []string { return xs },
	"categories": func() []string { return passnum.ServiceCategories },
	"autonomy":   func() []string { return passnum.AutonomyLevels },
	"ageBands":   func() []string { return passnum.AgeBands },
	"minutes":    durationLabel,
	"chart":      barChart,
}

func toInt64(n any) int64 {
	switch n := n.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	case int32:
		return int64(n)
	}
	return 0
}

// durationLabel writes minutes as "1 h 30" or "45 min".
func durationLabel(minutes int) string {
	switch h, m := minutes/60, minutes%60; {
	case h == 0:
		return fmt.Sprintf("%d%smin", m, nbsp)
	case m == 0:
		return fmt.Sprintf("%d%sh", h, nbsp)
	default:
		return fmt.Sprintf("%d%sh%s%02d", h, nbsp, nbsp, m)
	}
}

func roleLabel(r passnum.Role) string {
	switch r {
	case passnum.RoleAdmin:
		return "administrateur"
	case passnum.RoleAgent:
		return "agent"
	}
	return string(r)
}

func qualificationLabel(q passnum.Qualification) string {
	switch q {
	case passnum.QualificationPending:
		return "en attente de qualification"
	case passnum.QualificationQualified:
		return "qualifié"
	case passnum.QualificationSuspended:
		return "suspendu"
	case passnum.QualificationWithdrawn:
		return "qualification retirée"
	}
	return string(q)
}

// communeName names a commune by its INSEE code, with the code itself
// when the geography does not know it.
func communeName(insee string) string {
	if c, ok := geo.LookupCommune(insee); ok {
		return c.Name
	}
	return insee
}

// describeTerritory names a programme's areas for people: "Ille-et-Vilaine
// (35)", "Bretagne", "Rennes".
func describeTerritory(areas []string) string {
	parts := make([]string, 0, len(areas))
	for _, a := range areas {
		level, code, _ := strings.Cut(a, ":")
		switch passnum.AreaLevel(level) {
		case passnum.LevelRegion:
			if r, ok := geo.LookupRegion(code); ok {
				parts = append(parts, "région "+r.Name)
				continue
			}
			parts = append(parts, "région "+code)
		case passnum.LevelDepartement:
			if d, ok := geo.LookupDepartement(code); ok {
				parts = append(parts, d.Name+" ("+code+")")
				continue
			}
			parts = append(parts, "département "+code)
		default:
			parts = append(parts, communeName(code))
		}
	}
	if len(parts) == 0 {
		return "toute la France"
	}
	return strings.Join(parts, ", ")
}
