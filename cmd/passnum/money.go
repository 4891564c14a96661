package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/passnum/passnum"
)

// parseEuros reads an amount of euros as people type it, in cents, by the
// domain's rule (passnum.ParseEuros); the error is its French message
// alone, which the flag package puts after the option's name.
func parseEuros(s string) (int64, error) {
	cents, err := passnum.ParseEuros(s)
	if err != nil {
		return 0, errors.New(passnum.ErrorMessage(err))
	}
	return cents, nil
}

// eurosValue is a flag holding an amount given in euros, kept in cents.
type eurosValue struct {
	cents *int64
}

func (v eurosValue) String() string {
	if v.cents == nil || *v.cents == 0 {
		return ""
	}
	return passnum.EurosCell(*v.cents)
}

func (v eurosValue) Set(s string) error {
	c, err := parseEuros(s)
	if err != nil {
		return err
	}
	*v.cents = c
	return nil
}

// formatEuros writes cents for people: "12 345,67 €" (passnum.FrenchEuros).
func formatEuros(cents int64) string { return passnum.FrenchEuros(cents) }

// formatInt writes an integer for people: "1 000 000"
// (passnum.FrenchNumber), whatever its integer type.
func formatInt[T ~int | ~int64](n T) string { return passnum.FrenchNumber(int64(n)) }

// formatPercent renders part/total as a percentage with one decimal,
// computed on integers: "16,7 %".
func formatPercent(part, total int64) string {
	if total <= 0 {
		return "–"
	}
	permille := (part*1000 + total/2) / total
	return fmt.Sprintf("%d,%d\u00a0%%", permille/10, permille%10)
}

// formatBP renders basis points as a percentage: 400 → "4 %", 3333 → "33,33 %".
func formatBP(bp int) string {
	s := fmt.Sprintf("%d,%02d", bp/100, bp%100)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ",0")
	s = strings.TrimSuffix(s, ",")
	return s + "\u00a0%"
}
