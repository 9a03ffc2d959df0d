package account

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/arbiterhq/arbiter/runtime"
)

// emailPattern is Nakama's (deliberately loose) email check.
var emailPattern = regexp.MustCompile(`^.+@.+\..+$`)

func invalid(msg string) error { return runtime.NewError(runtime.InvalidArgument, msg) }

// hasSpaceOrControl reports whether s has an ASCII control or white-space
// character: what Nakama refuses in ids and email addresses.
func hasSpaceOrControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// hasControl reports whether s has an ASCII control character: what Nakama
// refuses in usernames (which may hold spaces).
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// ValidateUsername checks a username as Nakama does.
func ValidateUsername(u string) error {
	if hasControl(u) {
		return invalid("Username invalid, no spaces or control characters allowed.")
	}
	if len(u) < 1 || len(u) > 128 {
		return invalid("Username invalid, must be 1-128 bytes.")
	}
	return nil
}

// validateCredentials checks c in Nakama's order and with its messages, and
// normalises the email address.
func validateCredentials(c *Credentials) error {
	switch c.Kind {
	case runtime.IdentityDevice:
		if err := validateID("Device ID", c.ID, 10); err != nil {
			return err
		}
	case runtime.IdentityCustom:
		if err := validateID("Custom ID", c.ID, 6); err != nil {
			return err
		}
	case runtime.IdentityEmail:
		if err := validateEmail(c); err != nil {
			return err
		}
	default:
		return invalid("Unsupported identity.")
	}
	if c.Username != "" {
		return ValidateUsername(c.Username)
	}
	return nil
}

func validateID(what, id string, min int) error {
	switch {
	case id == "":
		return invalid(what + " is required.")
	case hasSpaceOrControl(id):
		return invalid(what + " invalid, no spaces or control characters allowed.")
	case len(id) < min || len(id) > 128:
		return invalid(what + " invalid, must be " + strconv.Itoa(min) + "-128 bytes.")
	}
	return nil
}

func validateEmail(c *Credentials) error {
	if c.ID == "" && c.Password == "" {
		return invalid("Email address and password is required.")
	}
	if c.ID == "" {
		if c.Username == "" {
			return invalid("Username is required when email address is not supplied.")
		}
	} else {
		switch {
		case hasSpaceOrControl(c.ID):
			return invalid("Invalid email address, no spaces or control characters allowed.")
		case !emailPattern.MatchString(c.ID):
			return invalid("Invalid email address format.")
		case len(c.ID) < 10 || len(c.ID) > 255:
			return invalid("Invalid email address, must be 10-255 bytes.")
		}
		c.ID = strings.ToLower(c.ID)
	}
	switch {
	case len(c.Password) < 8:
		return invalid("Password must be at least 8 characters long.")
	case len(c.Password) > 72:
		// bcrypt reads at most 72 bytes; refuse rather than ignore the rest.
		return invalid("Password must be at most 72 bytes long.")
	}
	return nil
}

// Column limits of account fields.
var fieldLimits = []struct {
	name string
	max  int
	get  func(runtime.AccountUpdate) *string
}{
	{"Display name", 255, func(u runtime.AccountUpdate) *string { return u.DisplayName }},
	{"Avatar URL", 512, func(u runtime.AccountUpdate) *string { return u.AvatarURL }},
	{"Lang tag", 18, func(u runtime.AccountUpdate) *string { return u.LangTag }},
	{"Location", 255, func(u runtime.AccountUpdate) *string { return u.Location }},
	{"Timezone", 255, func(u runtime.AccountUpdate) *string { return u.Timezone }},
}

func validateUpdate(u runtime.AccountUpdate) error {
	if u.Username == nil && u.DisplayName == nil && u.AvatarURL == nil && u.LangTag == nil &&
		u.Location == nil && u.Timezone == nil && u.Metadata == nil {
		return ErrNoFields
	}
	if u.Username != nil {
		if err := ValidateUsername(*u.Username); err != nil {
			return err
		}
	}
	for _, f := range fieldLimits {
		if v := f.get(u); v != nil && len(*v) > f.max {
			return invalid(f.name + " invalid, must be at most " + strconv.Itoa(f.max) + " bytes.")
		}
	}
	if u.Metadata != nil && !runtime.IsJSONObject(*u.Metadata) {
		return invalid("Metadata must be a JSON object.")
	}
	return nil
}
