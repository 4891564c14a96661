package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/passnum/passnum"
)

// The installation's privacy settings (passnum.PrivacySettings) come from
// the environment, so that every command and every server of one
// installation read the same: the register, the notices and the retention
// job all follow them. docs/REGISTRE.md lists them with their defaults.
const (
	envPrivacyController        = "PASSNUM_PRIVACY_CONTROLLER"
	envPrivacyControllerAddress = "PASSNUM_PRIVACY_CONTROLLER_ADDRESS"
	envPrivacyControllerEmail   = "PASSNUM_PRIVACY_CONTROLLER_EMAIL"
	envPrivacyJointControllers  = "PASSNUM_PRIVACY_JOINT_CONTROLLERS"
	envPrivacyDPOName           = "PASSNUM_PRIVACY_DPO_NAME"
	envPrivacyDPOEmail          = "PASSNUM_PRIVACY_DPO_EMAIL"
	envPrivacyHost              = "PASSNUM_PRIVACY_HOST"
	// envPrivacyRetention overrides retention periods in months:
	// "beneficiary=48,notes=12".
	envPrivacyRetention = "PASSNUM_PRIVACY_RETENTION"
)

// privacySettings reads the settings from getenv over the defaults and
// checks them.
func privacySettings(getenv func(string) string) (passnum.PrivacySettings, error) {
	p := passnum.DefaultPrivacySettings()
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{envPrivacyController, &p.Controller},
		{envPrivacyControllerAddress, &p.ControllerAddress},
		{envPrivacyControllerEmail, &p.ControllerEmail},
		{envPrivacyJointControllers, &p.JointControllers},
		{envPrivacyDPOName, &p.DPOName},
		{envPrivacyDPOEmail, &p.DPOEmail},
		{envPrivacyHost, &p.Host},
	} {
		if s := strings.TrimSpace(getenv(v.name)); s != "" {
			*v.dst = s
		}
	}
	if s := strings.TrimSpace(getenv(envPrivacyRetention)); s != "" {
		p.RetentionMonths = map[passnum.RetentionKey]int{}
		for _, part := range strings.Split(s, ",") {
			key, months, ok := strings.Cut(strings.TrimSpace(part), "=")
			m, err := strconv.Atoi(strings.TrimSpace(months))
			if !ok || err != nil {
				return p, privacyError(envPrivacyRetention, fmt.Sprintf("« %s » n'est pas de la forme clé=mois (par exemple beneficiary=48).", part))
			}
			p.RetentionMonths[passnum.RetentionKey(strings.TrimSpace(key))] = m
		}
	}
	if err := p.Validate(); err != nil {
		return p, privacyError("PASSNUM_PRIVACY_*", passnum.ErrorMessage(err))
	}
	return p, nil
}

func privacyError(variable, message string) error {
	return passnum.Errorf(passnum.EINVALID, passnum.ReasonInvalidInput, "Réglage %s : %s", variable, message)
}

// privacy is the installation's settings, read once per run.
func (c *cli) privacy() (passnum.PrivacySettings, error) {
	if c.privacySet == nil {
		p, err := privacySettings(os.Getenv)
		if err != nil {
			return p, err
		}
		c.privacySet = &p
	}
	return *c.privacySet, nil
}
