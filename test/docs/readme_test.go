package docs

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arbiterhq/arbiter/test/testlog"
)

// readmeSection is the section of README.md that TestReadmeCurl follows.
const readmeSection = "## A first session with curl"

// readyTimeout bounds the wait for the test server's /readyz.
const readyTimeout = time.Minute

// readmeSession is what the README's first commands hand to the later ones.
type readmeSession struct {
	token  string // the "token" of the authentication's answer (TOKEN)
	userID string // the user id of the account's answer (<your user id>)
}

// readmeSteps are the curl commands of the README's section, in order,
// with what the README says of each one's answer.
var readmeSteps = []struct {
	name  string
	match *regexp.Regexp // the request, to tell that the README still shows it here
	check func(t *testing.T, answer []byte, s *readmeSession)
}{
	{"authenticate", regexp.MustCompile(`-X POST '?localhost:7350/v2/account/authenticate/device\?create=true`), checkAuthenticate},
	{"account", regexp.MustCompile(`Bearer \$TOKEN" localhost:7350/v2/account$`), checkAccount},
	{"storage write", regexp.MustCompile(`Bearer \$TOKEN" -X PUT localhost:7350/v2/storage\b`), checkStorageWrite},
	{"storage list", regexp.MustCompile(`Bearer \$TOKEN" '?localhost:7350/v2/storage/saves\?.*user_id=<your user id>`), checkStorageList},
}

// TestReadmeCurl runs the curl commands of README.md's "A first session
// with curl" against a server started as the guides' (the default
// configuration, a temporary data folder, the repository's modules/*.lua)
// and checks the answers are what the README says. TOKEN is set to the
// token of the first answer, <your user id> is the id of the account's
// answer, and localhost:7350 is the test server's address. A ```json block
// after a ```sh block shows the answer of that block's last command: the
// real answer must have the same keys.
func TestReadmeCurl(t *testing.T) {
	t.Parallel()
	cmds, shown := readmeCommands(t)
	if len(cmds) != len(readmeSteps) {
		t.Fatalf("README.md %q shows %d curl commands, want %d (%s): update TestReadmeCurl with the README",
			readmeSection, len(cmds), len(readmeSteps), stepNames())
	}
	for i, step := range readmeSteps {
		if !step.match.MatchString(cmds[i].oneLine()) {
			t.Fatalf("README.md:%d: command %d is %q, want the %s request (%s): update TestReadmeCurl with the README",
				cmds[i].line, i+1, cmds[i].oneLine(), step.name, step.match)
		}
	}
	if why := curlTool.missing(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("README.md %q cannot be followed (CI=true, so this fails): %s", readmeSection, why)
		}
		t.Skipf("SKIP: README.md %q cannot be followed: %s (with CI=true this fails)", readmeSection, why)
	}

	w := newServerWorkspace(t, fmt.Sprintf("README.md:%d", cmds[0].line))
	// curl reads its configuration from here, not from the user's ~/.curlrc:
	// quiet, but an HTTP error fails the command and shows its answer.
	curlHome := t.TempDir()
	if err := os.WriteFile(filepath.Join(curlHome, ".curlrc"), []byte("silent\nshow-error\nfail-with-body\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	var s readmeSession
	for i, step := range readmeSteps {
		c := cmds[i]
		where := fmt.Sprintf("README.md:%d", c.line)
		script := c.script(s)
		answer := w.run(where, "export CURL_HOME="+shellQuote(curlHome)+"\n"+script)
		if !json.Valid([]byte(answer)) {
			t.Fatalf("%s: the %s answer is not JSON: %q", where, step.name, answer)
		}
		ok := t.Run(step.name, func(t *testing.T) {
			step.check(t, []byte(answer), &s)
			if want, ok := shown[i]; ok {
				checkShownKeys(t, want, []byte(answer))
			}
		})
		if !ok {
			t.Fatalf("%s: the %s answer is not what the README says:\n%s", where, step.name, answer)
		}
	}
}

// --- the answers

func checkAuthenticate(t *testing.T, answer []byte, s *readmeSession) {
	t.Helper()
	var a struct {
		Created      bool   `json:"created"`
		Token        string `json:"token"`
		RefreshToken string `json:"refresh_token"`
	}
	decode(t, answer, &a)
	if !a.Created {
		t.Errorf(`"created" is false, want true (a new device creates its account)`)
	}
	if a.Token == "" || a.RefreshToken == "" {
		t.Fatalf(`"token" %q and "refresh_token" %q: want both`, a.Token, a.RefreshToken)
	}
	for name, tok := range map[string]string{"token": a.Token, "refresh_token": a.RefreshToken} {
		if _, err := jwtClaims(tok); err != nil {
			t.Errorf("%q is not a JWT, as the README says: %v", name, err)
		}
	}
	s.token = a.Token
}

func checkAccount(t *testing.T, answer []byte, s *readmeSession) {
	t.Helper()
	var a struct {
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	decode(t, answer, &a)
	if a.User.ID == "" {
		t.Fatal("no user.id in the account")
	}
	if claims, err := jwtClaims(s.token); err == nil {
		if uid, ok := claims["uid"].(string); ok && uid != a.User.ID {
			t.Errorf("user.id %q, but the token is for %q", a.User.ID, uid)
		}
	}
	s.userID = a.User.ID
}

func checkStorageWrite(t *testing.T, answer []byte, s *readmeSession) {
	t.Helper()
	var a struct {
		Acks []struct {
			Collection string `json:"collection"`
			Key        string `json:"key"`
			Version    string `json:"version"`
			UserID     string `json:"user_id"`
		} `json:"acks"`
	}
	decode(t, answer, &a)
	if len(a.Acks) != 1 {
		t.Fatalf("%d acks, want 1", len(a.Acks))
	}
	ack := a.Acks[0]
	if ack.Collection != "saves" || ack.Key != "slot1" || ack.UserID != s.userID || ack.Version == "" {
		t.Errorf("ack %+v, want saves/slot1 of %s with a version", ack, s.userID)
	}
}

func checkStorageList(t *testing.T, answer []byte, s *readmeSession) {
	t.Helper()
	var a struct {
		Objects []struct {
			Collection string `json:"collection"`
			Key        string `json:"key"`
			UserID     string `json:"user_id"`
			Value      string `json:"value"`
		} `json:"objects"`
	}
	decode(t, answer, &a)
	if len(a.Objects) != 1 {
		t.Fatalf("%d objects, want 1 (saves/slot1)", len(a.Objects))
	}
	o := a.Objects[0]
	if o.Collection != "saves" || o.Key != "slot1" || o.UserID != s.userID {
		t.Errorf("object %s/%s of %q, want saves/slot1 of %s", o.Collection, o.Key, o.UserID, s.userID)
	}
	var got, want any
	decode(t, []byte(`{"level":3}`), &want)
	if err := json.Unmarshal([]byte(o.Value), &got); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf(`value %q, want {"level":3}`, o.Value)
	}
}

// checkShownKeys checks that an answer has the keys of the answer the
// README shows.
func checkShownKeys(t *testing.T, shown block, answer []byte) {
	t.Helper()
	var want, got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(shown.body), &want); err != nil {
		t.Fatalf("README.md:%d: the answer shown is not a JSON object: %v", shown.line, err)
	}
	decode(t, answer, &got)
	if !slices.Equal(sortedKeys(want), sortedKeys(got)) {
		t.Errorf("README.md:%d shows an answer with the keys %v; the real one has %v", shown.line, sortedKeys(want), sortedKeys(got))
	}
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jwtClaims returns the claims of a JWT, unverified.
func jwtClaims(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(b, &claims)
}

// --- the README's commands

// readmeCommand is a curl command of the README, with the shell lines
// before it in its block (TOKEN=...).
type readmeCommand struct {
	line    int      // of its first line in README.md
	prelude []string // the assignments before it in its block
	text    string   // as shown, continuation lines included
}

// oneLine is the command with its continuation lines joined.
func (c readmeCommand) oneLine() string {
	return strings.Join(strings.Fields(strings.ReplaceAll(c.text, "\\\n", " ")), " ")
}

// tokenLine is the README's placeholder assignment of the token.
var tokenLine = regexp.MustCompile(`^TOKEN=\S*(\s+#.*)?$`)

// script is the command to run, with the token and the user id of s in
// place of the README's placeholders.
func (c readmeCommand) script(s readmeSession) string {
	var b strings.Builder
	for _, l := range c.prelude {
		if tokenLine.MatchString(l) {
			l = "TOKEN=" + shellQuote(s.token)
		}
		b.WriteString(l + "\n")
	}
	b.WriteString(strings.ReplaceAll(c.text, "<your user id>", s.userID))
	return b.String()
}

// readmeCommands returns the curl commands of the README's section, and
// the JSON answers it shows, by the index of the command they answer.
func readmeCommands(t *testing.T) ([]readmeCommand, map[int]block) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text, first := markdownSection(string(data), readmeSection)
	if first == 0 {
		t.Fatalf("README.md has no %q section; TestReadmeCurl follows it: update the test with the README", readmeSection)
	}
	blocks, err := parseBlocks(text)
	if err != nil {
		t.Fatalf("README.md %q: %v", readmeSection, err)
	}
	var cmds []readmeCommand
	shown := map[int]block{}
	sh := 0
	for _, b := range blocks {
		b.line += first - 1
		switch b.lang {
		case "sh":
			sh++
			cmds = append(cmds, shellCommands(t, b)...)
		case "json":
			if sh == 0 || len(cmds) == 0 {
				t.Fatalf("README.md:%d: a JSON answer before any command", b.line)
			}
			shown[len(cmds)-1] = b
		}
	}
	if sh == 0 {
		t.Fatalf("README.md %q (line %d) has no ```sh blocks; TestReadmeCurl runs them: update the test with the README", readmeSection, first)
	}
	return cmds, shown
}

// shellCommands splits a sh block into its curl commands.
func shellCommands(t *testing.T, b block) []readmeCommand {
	t.Helper()
	var out []readmeCommand
	var prelude []string
	lines := strings.Split(strings.TrimRight(b.body, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "curl "):
			c := readmeCommand{line: b.line + 1 + i, prelude: slices.Clone(prelude)}
			text := lines[i]
			for strings.HasSuffix(text, "\\") && i+1 < len(lines) {
				i++
				text += "\n" + lines[i]
			}
			c.text = text
			out = append(out, c)
		case tokenLine.MatchString(l):
			prelude = append(prelude, l)
		default:
			t.Fatalf("README.md:%d: %q is neither a curl command nor TOKEN=...: update TestReadmeCurl with the README", b.line+1+i, l)
		}
	}
	return out
}

// markdownSection returns the lines of md from the heading to the next
// heading of the same or a higher level (fenced blocks aside), and the
// heading's line number (0 when there is none).
func markdownSection(md, heading string) (string, int) {
	lines := strings.Split(md, "\n")
	level := len(heading) - len(strings.TrimLeft(heading, "#"))
	start, inFence := 0, false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " "), "```") {
			inFence = !inFence
		}
		if inFence {
			continue
		}
		if start == 0 {
			if strings.TrimSpace(l) == heading {
				start = i + 1
			}
			continue
		}
		if h := len(l) - len(strings.TrimLeft(l, "#")); h > 0 && h <= level && strings.HasPrefix(l[h:], " ") {
			return strings.Join(lines[start-1:i], "\n"), start
		}
	}
	if start == 0 {
		return "", 0
	}
	return strings.Join(lines[start-1:], "\n"), start
}

// --- the server

// newServerWorkspace returns a workspace (the repository's sample modules,
// an empty data folder, no client) whose server runs and is ready.
func newServerWorkspace(t *testing.T, where string) *workspace {
	t.Helper()
	root := repoRoot()
	dir := t.TempDir()
	samples, err := filepath.Glob(filepath.Join(root, "modules", "*.lua"))
	if err != nil || len(samples) == 0 {
		t.Fatalf("no sample modules in %s/modules (%v)", root, err)
	}
	for _, src := range samples {
		copyFile(t, src, filepath.Join(dir, "modules", filepath.Base(src)))
	}
	w := &workspace{t: t, dir: dir, logs: &testlog.Buffer{}}
	t.Cleanup(func() {
		if t.Failed() && w.app != nil {
			t.Logf("server log:\n%s", w.logs.String())
		}
	})
	w.startServer(where)
	waitReady(t, "http://"+w.addr+"/readyz")
	return w
}

// waitReady polls url until it answers 200.
func waitReady(t *testing.T, url string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		res, err := client.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("status %s", res.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server was not ready within %s: %s: %v", readyTimeout, url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func stepNames() string {
	names := make([]string, len(readmeSteps))
	for i, s := range readmeSteps {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
