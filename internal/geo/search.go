package geo

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Search finds the communes a person means by query, best first, at most
// limit of them (all of them if limit <= 0). The query is one of:
//
//   - a postal code ("35000"): the communes with that postal code, then the
//     commune with that INSEE code if there is one;
//   - the start of a postal code or a département code ("35", "350",
//     "974", "2A"): the communes with such a postal code or in that
//     département;
//   - an INSEE code with a Corsican letter ("2A004");
//   - a name, compared after Normalize, so that case, accents, hyphens,
//     apostrophes and the abbreviations St, Ste, Sts and Stes do not matter
//     ("st malo", "Saint-Malo" and "saintmalo" all find Saint-Malo). Names
//     equal to the query come first, then names that start with it, then
//     names whose words start with the query's words in order ("malo",
//     "saint colombe" for Sainte-Colombe), then names that contain it. A
//     name may be followed or preceded by postal or département codes that
//     narrow the search: "saint denis 974".
//
// Within each of these groups the most populous commune comes first. Spaces
// inside a code are ignored ("35 000"). The caller may change the communes
// returned.
func Search(query string, limit int) []Commune {
	t := data()
	if up := strings.ToUpper(strings.TrimSpace(query)); len(up) == 5 && (up[:2] == "2A" || up[:2] == "2B") {
		if i, ok := t.rank(up); ok {
			return []Commune{t.commune(i)}
		}
		return nil
	}
	var words, codes []string
	for _, w := range strings.Fields(Normalize(query)) {
		if isCode(w) {
			codes = append(codes, strings.ToUpper(w))
		} else {
			words = append(words, w)
		}
	}
	var found []int32
	switch {
	case len(words) > 0:
		found = t.searchName(words, codes, limit)
	case len(codes) > 0:
		found = t.searchCode(strings.Join(codes, ""), limit)
	}
	if len(found) == 0 {
		return nil
	}
	out := make([]Commune, len(found))
	for k, i := range found {
		out[k] = t.commune(i)
	}
	return out
}

// isCode tells whether a normalised word is a postal code or its start, or
// a département code: 2 to 5 digits, or 2a, 2b.
func isCode(w string) bool {
	if w == "2a" || w == "2b" {
		return true
	}
	if len(w) < 2 || len(w) > 5 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// area returns the ranks, in order, of the communes with a postal code
// starting with code (2 to 5 digits) or in the département code.
func (t *table) area(code string) []int32 {
	ranks := slices.Clone(t.byDep[code])
	if n, err := strconv.Atoi(code); err == nil {
		scale := uint64(1)
		for range 5 - len(code) {
			scale *= 10
		}
		lo, _ := slices.BinarySearch(t.postal, uint64(n)*scale<<32)
		hi, _ := slices.BinarySearch(t.postal, uint64(n+1)*scale<<32)
		for _, p := range t.postal[lo:hi] {
			ranks = append(ranks, int32(uint32(p)))
		}
	}
	slices.Sort(ranks)
	return slices.Compact(ranks)
}

// searchCode finds the communes of a postal code, of the start of one, or
// of a département.
func (t *table) searchCode(code string, limit int) []int32 {
	if len(code) < 2 || len(code) > 5 {
		return nil
	}
	out := t.area(code)
	if i, ok := t.rank(code); ok && !slices.Contains(out, i) {
		out = append(out, i) // after the communes of a postal code
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// searchName finds communes by the normalised words of their name, in the
// communes of all the codes (see area): the names equal to the query, then
// those starting with it, then those with words starting with the query's
// words, then those containing it.
func (t *table) searchName(words, codes []string, limit int) []int32 {
	q := strings.Join(words, "") // compared with the compact names
	if len(codes) > 0 {
		return t.searchNameIn(t.areas(codes), q, words, limit)
	}

	// Each group is found through an index, and only its best ranks are
	// kept. The names starting with q, the equal ones first, are a range
	// of byCompact.
	lo, _ := slices.BinarySearchFunc(t.byCompact, q, func(i int32, q string) int {
		return strings.Compare(t.compact[i], q)
	})
	eq := lo
	for eq < len(t.byCompact) && t.compact[t.byCompact[eq]] == q {
		eq++
	}
	hi := eq + sort.Search(len(t.byCompact)-eq, func(j int) bool {
		return !strings.HasPrefix(t.compact[t.byCompact[eq+j]], q)
	})

	groups := []func(p *picker){
		func(p *picker) { // equal
			for _, i := range t.byCompact[lo:eq] {
				if p.wants(i) {
					p.add(i)
				}
			}
		},
		func(p *picker) { // starting with q
			for _, i := range t.byCompact[eq:hi] {
				if p.wants(i) {
					p.add(i)
				}
			}
		},
		func(p *picker) { // with words starting with the query's words
			// Candidates: the names with a word starting with the
			// query word that starts the fewest.
			var refs []wordRef
			for k, w := range words {
				if r := t.wordsStarting(w); k == 0 || len(r) < len(refs) {
					refs = r
				}
			}
			for _, r := range refs {
				i := r.commune
				if p.wants(i) && !strings.HasPrefix(t.compact[i], q) && wordPrefixes(t.spaced[i], words) {
					p.add(i)
				}
			}
		},
		func(p *picker) { // containing q
			match := func(i int32) bool {
				return !strings.HasPrefix(t.compact[i], q) && !wordPrefixes(t.spaced[i], words)
			}
			// A common q (say "ll") is faster found by a scan in rank
			// order, which stops at the limit.
			const maxHits = 2000
			if hits := t.substrings.Lookup([]byte(q), maxHits+1); len(hits) <= maxHits {
				for _, h := range hits {
					i, found := slices.BinarySearch(t.compactStart, int32(h))
					if !found {
						i--
					}
					if p.wants(int32(i)) && match(int32(i)) {
						p.add(int32(i))
					}
				}
				return
			}
			for i := range t.compact {
				if !p.wants(int32(i)) {
					return
				}
				if strings.Contains(t.compact[i], q) && match(int32(i)) {
					p.add(int32(i))
				}
			}
		},
	}
	var out []int32
	for _, group := range groups {
		if limit > 0 && len(out) >= limit {
			break
		}
		p := picker{limit: limit - len(out)}
		group(&p)
		out = append(out, p.ranks()...)
	}
	return out
}

// areas returns the ranks, in order, of the communes in the area of every
// code.
func (t *table) areas(codes []string) []int32 {
	ranks := t.area(codes[0])
	for _, code := range codes[1:] {
		other := t.area(code)
		ranks = slices.DeleteFunc(ranks, func(i int32) bool {
			_, found := slices.BinarySearch(other, i)
			return !found
		})
	}
	return ranks
}

// searchNameIn is searchName within a few communes, given by their ranks
// in order: each is put in its group, and the groups are concatenated.
func (t *table) searchNameIn(ranks []int32, q string, words []string, limit int) []int32 {
	var groups [4][]int32
	for _, i := range ranks {
		if limit > 0 && len(groups[0]) >= limit {
			break
		}
		g := 3
		switch compact := t.compact[i]; {
		case compact == q:
			g = 0
		case strings.HasPrefix(compact, q):
			g = 1
		case wordPrefixes(t.spaced[i], words):
			g = 2
		case !strings.Contains(compact, q):
			continue
		}
		if limit <= 0 || len(groups[g]) < limit {
			groups[g] = append(groups[g], i)
		}
	}
	out := slices.Concat(groups[:]...)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// wordsStarting returns the words of the names that start with w.
func (t *table) wordsStarting(w string) []wordRef {
	lo, _ := slices.BinarySearchFunc(t.words, w, func(r wordRef, w string) int {
		return strings.Compare(t.word(r), w)
	})
	n := sort.Search(len(t.words)-lo, func(j int) bool {
		return !strings.HasPrefix(t.word(t.words[lo+j]), w)
	})
	return t.words[lo : lo+n]
}

// picker keeps the best (smallest) ranks offered to it, at most limit of
// them, or all of them if limit <= 0.
type picker struct {
	limit int
	got   []int32 // sorted when limit > 0
}

// wants tells whether rank i would be kept.
func (p *picker) wants(i int32) bool {
	return p.limit <= 0 || len(p.got) < p.limit || i < p.got[len(p.got)-1]
}

// add keeps rank i, which p wants.
func (p *picker) add(i int32) {
	if p.limit <= 0 {
		p.got = append(p.got, i)
		return
	}
	k, found := slices.BinarySearch(p.got, i)
	if found {
		return
	}
	if len(p.got) == p.limit {
		p.got = p.got[:len(p.got)-1]
	}
	p.got = slices.Insert(p.got, k, i)
}

// ranks returns the kept ranks, best first, each once.
func (p *picker) ranks() []int32 {
	if p.limit <= 0 {
		slices.Sort(p.got)
		p.got = slices.Compact(p.got)
	}
	return p.got
}

// wordPrefixes tells whether each of words starts a word of the normalised
// name, in order, each a different word of the name.
func wordPrefixes(name string, words []string) bool {
	for len(words) > 0 && name != "" {
		w, rest, _ := strings.Cut(name, " ")
		if strings.HasPrefix(w, words[0]) {
			words = words[1:]
		}
		name = rest
	}
	return len(words) == 0
}

// Normalize returns the form of a name that Search compares: lower case,
// without accents or ligatures (é → e, œ → oe), every run of other
// characters than letters and digits (hyphens, apostrophes, spaces,
// parentheses) made one space, and the abbreviations St, Ste, Sts and Stes
// written out. Normalize("L'Haÿ-les-Roses") is "l hay les roses",
// Normalize("St-Malo") is "saint malo".
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r >= 0x300 && unicode.Is(unicode.Mn, r) {
			continue // a combining accent, from decomposed input
		}
		if !fold(&b, unicode.ToLower(r), space) {
			space = b.Len() > 0
			continue
		}
		space = false
	}
	n := b.String()
	if !strings.Contains(n, "st") {
		return n
	}
	words := strings.Fields(n)
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		case "sts":
			words[i] = "saints"
		case "stes":
			words[i] = "saintes"
		}
	}
	return strings.Join(words, " ")
}

// fold writes the lower-case letter or digit r without its accent,
// preceded by a space if space is set, and reports whether r is a letter or
// a digit.
func fold(b *strings.Builder, r rune, space bool) bool {
	var s string
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		s = "a"
	case 'æ':
		s = "ae"
	case 'ç':
		s = "c"
	case 'è', 'é', 'ê', 'ë':
		s = "e"
	case 'ì', 'í', 'î', 'ï':
		s = "i"
	case 'ñ':
		s = "n"
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø':
		s = "o"
	case 'œ':
		s = "oe"
	case 'ù', 'ú', 'û', 'ü':
		s = "u"
	case 'ý', 'ÿ':
		s = "y"
	default:
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	if space {
		b.WriteByte(' ')
	}
	if s != "" {
		b.WriteString(s)
	} else {
		b.WriteRune(r)
	}
	return true
}
