package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// conformanceTree lays out the pinned gateway-api release as its repository is: the
// root module with conformance/ (a module whose go.mod replaces sigs.k8s.io/gateway-api
// with ../) beside it. The module cache holds the two modules apart, so neither
// `go build ./echo-basic` nor `go test .` could resolve that replace there. Files are
// copied unmodified; the tree lives in <cache>/gateway-api/<version>/.
func conformanceTree(root string) (string, error) {
	dir := filepath.Join(root, "gateway-api", gatewayAPIVersion)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	rootMod, err := downloadModule("sigs.k8s.io/gateway-api@" + gatewayAPIVersion)
	if err != nil {
		return "", err
	}
	confMod, err := downloadModule("sigs.k8s.io/gateway-api/conformance@" + gatewayAPIVersion)
	if err != nil {
		return "", err
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return "", err
	}
	if err := copyTree(rootMod, tmp); err != nil {
		return "", err
	}
	if err := copyTree(confMod, filepath.Join(tmp, "conformance")); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, ".complete"), nil, 0o644)
}

func downloadModule(modVersion string) (string, error) {
	out, err := goOutput(os.TempDir(), "mod", "download", "-json", modVersion)
	if err != nil {
		return "", err
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	if m.Error != "" {
		return "", fmt.Errorf("%s: %s", modVersion, m.Error)
	}
	return m.Dir, nil
}

// copyTree copies regular files and directories (the module cache's are read-only; the
// copies are writable so the tree can be removed).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		info, err := in.Stat()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, info.Mode().Perm()|0o200)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
