package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

// gatewayAPIVersion is the sigs.k8s.io/gateway-api release whose experimental-channel
// CRDs the harness installs. Not a go.mod requirement: its dependency graph would pull
// the pinned Kubernetes modules around, and only its YAML files are needed.
const gatewayAPIVersion = "v1.6.3"

// corednsVersion is the CoreDNS release the conformance suite's manifests name
// (registry.k8s.io/coredns/coredns:v1.12.2), installed unmodified from its module.
const corednsVersion = "v1.12.2"

type componentKind int

const (
	pinned      componentKind = iota // a main package of a module pinned in go.mod
	local                            // a main package of this module (keyed by its source too)
	conformance                      // a main package of sigs.k8s.io/gateway-api/conformance@gatewayAPIVersion
	installed                        // `go install pkg@version`, the module's own go.mod and go.sum
	sourceOnly                       // no binary: the gateway-api source tree (for `go test ./conformance`)
)

type component struct {
	pkg    string // Go package of the main (relative to the tree for conformance)
	module string // module whose version keys the binary
	kind   componentKind
}

var components = map[string]component{
	"etcd":                    {"go.etcd.io/etcd/server/v3", "go.etcd.io/etcd/server/v3", pinned},
	"kube-apiserver":          {"k8s.io/kubernetes/cmd/kube-apiserver", "k8s.io/kubernetes", pinned},
	"kube-controller-manager": {"k8s.io/kubernetes/cmd/kube-controller-manager", "k8s.io/kubernetes", pinned},
	"kube-scheduler":          {"k8s.io/kubernetes/cmd/kube-scheduler", "k8s.io/kubernetes", pinned},
	// The process kubelet of the test cluster (./kubelet).
	"process-kubelet": {"./kubelet", "", local},
	// Programs the process kubelet runs for images (see kubelet/images.go).
	"echo-basic": {"./echo-basic", "sigs.k8s.io/gateway-api/conformance", conformance},
	"coredns":    {"github.com/coredns/coredns@" + corednsVersion, "github.com/coredns/coredns", installed},
	// The pinned suite, laid out as the gateway-api repository (conformance/ next to the
	// root module its go.mod replaces), for `go test` in <conformanceDir>/conformance.
	"conformance-src": {"", "sigs.k8s.io/gateway-api/conformance", sourceOnly},
}

func componentNames() string {
	names := make([]string, 0, len(components))
	for n := range components {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// manifest is what `build` prints for the harness.
type manifest struct {
	Kubernetes string            `json:"kubernetes"`
	Etcd       string            `json:"etcd"`
	GatewayAPI string            `json:"gatewayAPI"`
	Dir        string            `json:"dir"`
	Tool       string            `json:"tool"`
	Bin        map[string]string `json:"bin"`
	CRDDir     string            `json:"crdDir"`
	// ConformanceDir is the gateway-api source tree (with conformance-src or echo-basic).
	ConformanceDir string `json:"conformanceDir,omitempty"`
}

func cacheRoot() (string, error) {
	if d := os.Getenv("GATEHOUSE_CACHE"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".cache", "gatehouse"), nil
}

func goCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly -buildvcs=false")
	return cmd
}

func goOutput(dir string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := goCmd(dir, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// moduleDir is the directory of this module's go.mod (the builder runs from anywhere).
func moduleDir() (string, error) {
	out, err := goOutput(".", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull || filepath.Base(gomod) != "go.mod" {
		return "", fmt.Errorf("run from test/controlplane (go env GOMOD = %q)", gomod)
	}
	return filepath.Dir(gomod), nil
}

func moduleVersions(modDir string) (map[string]string, error) {
	out, err := goOutput(modDir, "list", "-m", "-f", "{{.Path}} {{.Version}}", "k8s.io/kubernetes", "go.etcd.io/etcd/server/v3")
	if err != nil {
		return nil, err
	}
	v := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			v[f[0]] = f[1]
		}
	}
	return v, nil
}

// crdDir downloads the pinned gateway-api module (outside this module, so go.mod stays
// as it is) and returns its experimental CRD directory.
func crdDir() (string, error) {
	out, err := goOutput(os.TempDir(), "mod", "download", "-json", "sigs.k8s.io/gateway-api@"+gatewayAPIVersion)
	if err != nil {
		return "", err
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	if m.Error != "" {
		return "", fmt.Errorf("sigs.k8s.io/gateway-api@%s: %s", gatewayAPIVersion, m.Error)
	}
	dir := filepath.Join(m.Dir, "config", "crd", "experimental")
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// k8sLdflags stamps the version the way hack/lib/version.sh does, so /version reports it.
func k8sLdflags(version string) string {
	major, minor := "", ""
	if p := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3); len(p) >= 2 {
		major, minor = p[0], p[1]
	}
	var b strings.Builder
	for _, kv := range [][2]string{{"gitVersion", version}, {"gitMajor", major}, {"gitMinor", minor},
		{"gitTreeState", "clean"}, {"buildDate", "1970-01-01T00:00:00Z"}} {
		for _, pkg := range []string{"k8s.io/client-go/pkg/version", "k8s.io/component-base/version"} {
			fmt.Fprintf(&b, " -X %s.%s=%s", pkg, kv[0], kv[1])
		}
	}
	return b.String()
}

// buildKey changes whenever anything that goes into a binary changes: the dependency
// pins, the Go toolchain, the flags; for a local package its sources; for a module
// outside go.mod its version.
func buildKey(modDir, name, ldflags string) (string, error) {
	h := sha256.New()
	c := components[name]
	switch c.kind {
	case pinned, local:
		for _, f := range []string{"go.mod", "go.sum"} {
			b, err := os.ReadFile(filepath.Join(modDir, f))
			if err != nil {
				return "", err
			}
			h.Write(b)
		}
	case conformance:
		fmt.Fprintf(h, "gateway-api@%s\x00", gatewayAPIVersion)
	case installed:
		fmt.Fprintf(h, "%s\x00", c.pkg)
	}
	if c.kind == local {
		files, err := filepath.Glob(filepath.Join(modDir, c.pkg, "*.go"))
		if err != nil {
			return "", err
		}
		sort.Strings(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(f), len(b))
			h.Write(b)
		}
	}
	goVersion, err := goOutput(modDir, "env", "GOVERSION")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "\x00%s\x00%s\x00%s\x00%s", goVersion, name, ldflags, runtime.GOARCH)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func runBuild(args []string) error {
	names := args
	if len(names) == 0 {
		names = []string{"etcd", "kube-apiserver"}
	}
	for _, n := range names {
		if _, ok := components[n]; !ok {
			return fmt.Errorf("unknown component %q (known: %s)", n, componentNames())
		}
	}
	modDir, err := moduleDir()
	if err != nil {
		return err
	}
	versions, err := moduleVersions(modDir)
	if err != nil {
		return err
	}
	root, err := cacheRoot()
	if err != nil {
		return err
	}
	k8s := versions["k8s.io/kubernetes"]
	dir := filepath.Join(root, "controlplane", k8s)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// One builder at a time per version: parallel test workers wait for the first.
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}

	m := manifest{Kubernetes: k8s, Etcd: versions["go.etcd.io/etcd/server/v3"], GatewayAPI: gatewayAPIVersion,
		Dir: dir, Bin: map[string]string{}}
	if m.Tool, err = installSelf(dir); err != nil {
		return err
	}
	for _, n := range names {
		c := components[n]
		if c.kind == conformance || c.kind == sourceOnly {
			if m.ConformanceDir, err = conformanceTree(root); err != nil {
				return err
			}
		}
		if c.kind == sourceOnly {
			continue
		}
		ldflags := "-s -w"
		if c.module == "k8s.io/kubernetes" {
			ldflags += k8sLdflags(k8s)
		}
		out := filepath.Join(dir, n)
		key, err := buildKey(modDir, n, ldflags)
		if err != nil {
			return err
		}
		if stamp, err := os.ReadFile(out + ".key"); err == nil && string(stamp) == key {
			if _, err := os.Stat(out); err == nil {
				m.Bin[n] = out
				continue
			}
		}
		switch c.kind {
		case conformance:
			err = goBuild(filepath.Join(m.ConformanceDir, "conformance"), n, c.pkg, ldflags, out)
		case installed:
			err = goInstall(n, c.pkg, ldflags, out)
		default:
			err = goBuild(modDir, n, c.pkg, ldflags, out)
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(out+".key", []byte(key), 0o644); err != nil {
			return err
		}
		m.Bin[n] = out
	}
	if m.CRDDir, err = crdDir(); err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// goBuild compiles one component into out (atomically), using every core, and reports
// progress on stderr: a cold kube-apiserver build compiles ~2,000 packages.
func goBuild(modDir, name, pkg, ldflags, out string) error {
	tmp := out + ".tmp"
	return runGoBuild(goCmd(modDir, "build", "-v", "-trimpath", "-ldflags", ldflags, "-o", tmp, pkg), name, pkg, tmp, out)
}

// goInstall builds pkg@version with that module's own go.mod and go.sum (unmodified).
func goInstall(name, pkg, ldflags, out string) error {
	bin, err := os.MkdirTemp(filepath.Dir(out), "."+name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)
	cmd := exec.Command("go", "install", "-v", "-trimpath", "-ldflags", ldflags, pkg)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false", "GOBIN="+bin)
	base := strings.SplitN(filepath.Base(pkg), "@", 2)[0]
	return runGoBuild(cmd, name, pkg, filepath.Join(bin, base), out)
}

func runGoBuild(cmd *exec.Cmd, name, pkg, tmp, out string) error {
	start := time.Now()
	fmt.Fprintf(os.Stderr, "controlplane: building %s (%s); uncached, this takes minutes (kube-apiserver: ~6 min on 2 cores)\n", name, pkg)
	pr, pw := io.Pipe()
	cmd.Stdout = os.Stderr
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return err
	}
	compiled := make(chan int, 1)
	go func() {
		// `go build -v` prints each package it compiles; anything else is a message.
		n := 0
		last := time.Now()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			if strings.ContainsAny(line, " \t:#") {
				fmt.Fprintln(os.Stderr, line)
				continue
			}
			n++
			if time.Since(last) >= 30*time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "controlplane: %s: %d packages compiled, %s\n", name, n, time.Since(start).Round(time.Second))
			}
		}
		compiled <- n
	}()
	err := cmd.Wait()
	pw.Close()
	n := <-compiled
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("go build %s: %v", pkg, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "controlplane: built %s in %s (%d packages compiled)\n", name, time.Since(start).Round(time.Second), n)
	return nil
}

// installSelf copies the running builder next to the binaries, so the harness can run
// `certs` and `exec` without `go run` (whose binary is deleted when it exits).
func installSelf(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(self)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(dir, "controlplane")
	if cur, err := os.ReadFile(dst); err == nil && bytes.Equal(cur, b) {
		return dst, nil
	}
	if err := os.WriteFile(dst+".tmp", b, 0o755); err != nil {
		return "", err
	}
	return dst, os.Rename(dst+".tmp", dst)
}
