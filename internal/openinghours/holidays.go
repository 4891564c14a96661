package openinghours

import "time"

// publicHoliday reports whether the date (its year, month and day, whatever
// its location) is a public holiday throughout France (Code du travail,
// article L3133-1). Whit Monday stays a holiday even where it is the
// journée de solidarité: venues close on it as on the others.
func publicHoliday(date time.Time) bool {
	year, month, day := date.Date()
	switch {
	case month == time.January && day == 1,
		month == time.May && (day == 1 || day == 8),
		month == time.July && day == 14,
		month == time.August && day == 15,
		month == time.November && (day == 1 || day == 11),
		month == time.December && day == 25:
		return true
	}
	em, ed := easter(year)
	afterEaster := time.Date(year, month, day, 0, 0, 0, 0, time.UTC).YearDay() -
		time.Date(year, em, ed, 0, 0, 0, 0, time.UTC).YearDay()
	// Easter Monday, Ascension Thursday, Whit Monday.
	return afterEaster == 1 || afterEaster == 39 || afterEaster == 50
}

// easter returns the date of Easter Sunday in the Gregorian calendar, by the
// anonymous algorithm (Meeus, Astronomical Algorithms, chapter 8).
func easter(year int) (time.Month, int) {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return time.Month(n / 31), n%31 + 1
}
