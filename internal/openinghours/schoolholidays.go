package openinghours

import "time"

// School holidays (the OpenStreetMap selector SH) of mainland France, by
// zone: the dates of the calendars the Ministry of Education publishes by
// decree (arrêté), from the first day without school to the last, the
// Sunday before school starts again. 2024-2025 and 2025-2026 are those of
// the Ministry's open data set "Calendrier scolaire" as gathered, under
// the Licence Ouverte, in github.com/AntoineAugusti/vacances-scolaires
// (data.csv); 2026-2027 those of the decree of 22 October 2025. A year is
// added here when its decree is published; outside these years, and in
// Corsica and overseas, whose académies set their own calendars, whether a
// day is a school holiday is not known, and neither is whether a venue
// whose hours depend on it is open.

// schoolYearsKnown are the first and last days the table below covers.
var schoolYearsKnown = [2]time.Time{date(2024, 9, 1), date(2027, 8, 31)}

// schoolHolidays are the holidays by zone, first and last day included.
var schoolHolidays = map[byte][][2]time.Time{
	'A': {
		{date(2024, 10, 19), date(2024, 11, 3)}, {date(2024, 12, 21), date(2025, 1, 5)},
		{date(2025, 2, 22), date(2025, 3, 9)}, {date(2025, 4, 19), date(2025, 5, 4)},
		{date(2025, 7, 5), date(2025, 8, 31)},
		{date(2025, 10, 18), date(2025, 11, 2)}, {date(2025, 12, 20), date(2026, 1, 4)},
		{date(2026, 2, 7), date(2026, 2, 22)}, {date(2026, 4, 4), date(2026, 4, 19)},
		{date(2026, 7, 4), date(2026, 8, 30)},
		{date(2026, 10, 17), date(2026, 11, 1)}, {date(2026, 12, 19), date(2027, 1, 3)},
		{date(2027, 2, 13), date(2027, 2, 28)}, {date(2027, 4, 10), date(2027, 4, 25)},
		{date(2027, 7, 3), date(2027, 8, 31)},
	},
	'B': {
		{date(2024, 10, 19), date(2024, 11, 3)}, {date(2024, 12, 21), date(2025, 1, 5)},
		{date(2025, 2, 8), date(2025, 2, 23)}, {date(2025, 4, 5), date(2025, 4, 21)},
		{date(2025, 7, 5), date(2025, 8, 31)},
		{date(2025, 10, 18), date(2025, 11, 2)}, {date(2025, 12, 20), date(2026, 1, 4)},
		{date(2026, 2, 14), date(2026, 3, 1)}, {date(2026, 4, 11), date(2026, 4, 26)},
		{date(2026, 7, 4), date(2026, 8, 30)},
		{date(2026, 10, 17), date(2026, 11, 1)}, {date(2026, 12, 19), date(2027, 1, 3)},
		{date(2027, 2, 20), date(2027, 3, 7)}, {date(2027, 4, 17), date(2027, 5, 2)},
		{date(2027, 7, 3), date(2027, 8, 31)},
	},
	'C': {
		{date(2024, 10, 19), date(2024, 11, 3)}, {date(2024, 12, 21), date(2025, 1, 5)},
		{date(2025, 2, 15), date(2025, 3, 2)}, {date(2025, 4, 12), date(2025, 4, 27)},
		{date(2025, 7, 5), date(2025, 8, 31)},
		{date(2025, 10, 18), date(2025, 11, 2)}, {date(2025, 12, 20), date(2026, 1, 4)},
		{date(2026, 2, 21), date(2026, 3, 8)}, {date(2026, 4, 18), date(2026, 5, 3)},
		{date(2026, 7, 4), date(2026, 8, 30)},
		{date(2026, 10, 17), date(2026, 11, 1)}, {date(2026, 12, 19), date(2027, 1, 3)},
		{date(2027, 2, 6), date(2027, 2, 21)}, {date(2027, 4, 3), date(2027, 4, 18)},
		{date(2027, 7, 3), date(2027, 8, 31)},
	},
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// zoneDepartements are the départements of each zone, by académie.
var zoneDepartements = map[byte][]string{
	// Besançon, Bordeaux, Clermont-Ferrand, Dijon, Grenoble, Limoges, Lyon, Poitiers.
	'A': {"25", "39", "70", "90", "24", "33", "40", "47", "64", "03", "15", "43", "63", "21", "58", "71", "89",
		"07", "26", "38", "73", "74", "19", "23", "87", "01", "42", "69", "16", "17", "79", "86"},
	// Aix-Marseille, Amiens, Lille, Nancy-Metz, Nantes, Nice, Normandie,
	// Orléans-Tours, Reims, Rennes, Strasbourg.
	'B': {"04", "05", "13", "84", "02", "60", "80", "59", "62", "54", "55", "57", "88", "44", "49", "53", "72", "85",
		"06", "83", "14", "27", "50", "61", "76", "18", "28", "36", "37", "41", "45", "08", "10", "51", "52",
		"22", "29", "35", "56", "67", "68"},
	// Créteil, Montpellier, Paris, Toulouse, Versailles.
	'C': {"77", "93", "94", "11", "30", "34", "48", "66", "75", "09", "12", "31", "32", "46", "65", "81", "82",
		"78", "91", "92", "95"},
}

var zoneOf = func() map[string]byte {
	m := map[string]byte{}
	for z, deps := range zoneDepartements {
		for _, d := range deps {
			m[d] = z
		}
	}
	return m
}()

// SchoolZone returns the zone of school holidays (A, B or C) of a
// département of mainland France, and false for Corsica, overseas and
// codes it does not know.
func SchoolZone(departement string) (string, bool) {
	z, ok := zoneOf[departement]
	if !ok {
		return "", false
	}
	return string(z), true
}

// schoolHoliday reports whether the date (its year, month and day) is a
// school holiday in the département's zone; known is false when that is
// not known (no zone, or a year outside the table).
func schoolHoliday(day time.Time, departement string) (holiday, known bool) {
	z, ok := zoneOf[departement]
	d := date(day.Date())
	if !ok || d.Before(schoolYearsKnown[0]) || d.After(schoolYearsKnown[1]) {
		return false, false
	}
	for _, h := range schoolHolidays[z] {
		if !d.Before(h[0]) && !d.After(h[1]) {
			return true, true
		}
	}
	return false, true
}
