package e2e

import (
	"os"
	"testing"

	"github.com/arbiterhq/arbiter/test/wasmbuild"
)

func TestMain(m *testing.M) {
	code := m.Run()
	wasmbuild.Remove() // the WebAssembly modules, when this binary built them
	os.Exit(code)
}
