package web

import (
	"fmt"
	"html/template"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/passnum/passnum"
	"github.com/passnum/passnum/internal/geo"
	"github.com/passnum/passnum/internal/passcode"
)

// nbsp is the narrow no-break space French typography puts between
// thousands and before units.
const nbsp = "\u202f"

// ratio writes part/whole as a rounded percentage, "—" when whole is 0. A
// share that rounds to 0 % or 100 % without being nothing or all says so
// in words: 8 blocked passes out of 2 500 are "moins de 1 %", not "0 %".
func ratio(part, whole int64) string {
	if whole == 0 {
		return "—"
	}
	pct := int(math.Round(float64(part) * 100 / float64(whole)))
	switch {
	case pct == 0 && part > 0:
		return "moins de 1" + nbsp + "%"
	case pct == 100 && part < whole:
		return "plus de 99" + nbsp + "%"
	}
	return strconv.Itoa(pct) + nbsp + "%"
}

var funcs = template.FuncMap{
	"euros":   passnum.FrenchEuros,
	"num":     func(n any) string { return passnum.FrenchNumber(toInt64(n)) },
	"percent": passnum.FrenchPercent,
	// mailBadge is the badge of an outbox message's state (mail.go).
	"mailBadge": mailBadge,
	"ratio":     func(a, b any) string { return ratio(toInt64(a), toInt64(b)) },
	"date":      func(iso string) template.HTML { return ordinalHTML(passnum.FrenchDate(iso)) },
	// ordinal raises the "1er" of a day already written ("mardi 1er
	// mars 2027"), as date does.
	"ordinal": ordinalHTML,
	"datetime": func(t any) template.HTML {
		switch t := t.(type) {
		case time.Time:
			return ordinalHTML(passnum.FrenchDateTime(t))
		case *time.Time:
			if t == nil {
				return ""
			}
			return ordinalHTML(passnum.FrenchDateTime(*t))
		}
		return ""
	},
	// by writes who pays a programme, articles included: "par l'État et
	// la Région Bretagne".
	"by":          func(names []string) string { return passnum.FrenchBy(names...) },
	"serial":      passnum.FormatSerial,
	"territory":   describeTerritory,
	"commune":     communeName,
	"kindLabel":   func(k passnum.OrgKind) string { return k.Label() },
	"factorLabel": func(k passnum.SecondFactorKind) string { return k.Label() },
	"qualLabel":   func(q any) string { return passnum.Qualification(fmt.Sprint(q)).Label() },
	"roleLabel":   roleLabel,
	"add":         func(a, b int) int { return a + b },
	"sub":         func(a, b any) int64 { return toInt64(a) - toInt64(b) },
	"sub64":       func(a, b any) int64 { return toInt64(a) - toInt64(b) },
	"mul64":       func(a, b any) int64 { return toInt64(a) * toInt64(b) },
	"div64": func(a, b any) int64 {
		if toInt64(b) == 0 {
			return 0
		}
		return toInt64(a) / toInt64(b)
	},
	// count writes a figure with its unit, so that a count of passes
	// beside amounts in euros never reads as money: "2 500 pass",
	// "1 carnet", "12 carnets". A no-break space holds the figure to its
	// unit, as French typography wants, when a narrow cell wraps.
	"count": func(n any, one, many string) string {
		c := passnum.FrenchCount(toInt64(n), one, many)
		if i := strings.Index(c, " "); i >= 0 {
			c = c[:i] + nbsp + c[i+1:]
		}
		return c
	},
	"plural": func(n any, one, many string) string {
		if v := toInt64(n); v > 1 || v < -1 {
			return many
		}
		return one
	},
	"join": strings.Join,
	// kindLabels writes the applicant kinds of a call (calls.go).
	"kindLabels": applicantKindLabels,
	// inc numbers from one what range numbers from zero.
	"inc": func(i int) int { return i + 1 },
	// hours writes opening hours in French, one line after another, or
	// the value itself when it cannot be read.
	"hours": func(value string) string {
		lines, raw := frenchHours(value)
		if lines == nil {
			return raw
		}
		return strings.Join(lines, " ; ")
	},
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

	// exampleCode is the model pass code the pages show (passcode.Example).
	"exampleCode": func() string { return passcode.Example.String() },
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

// ordinalHTML raises the "er" of "1er" in a written date, as French
// typography wants on a page, at its start or after the weekday ("mardi
// 1er mars"); attributes and plain text keep "1er" (the template strips
// the tags there).
func ordinalHTML(date string) template.HTML {
	return template.HTML(firstOfMonth.ReplaceAllString(template.HTMLEscapeString(date), "${1}1<sup>er</sup>"))
}

// firstOfMonth finds the "1er" of a written date: a whole word.
var firstOfMonth = regexp.MustCompile(`(^|\s)1er\b`)
