package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// images maps an image reference to a program on this machine: no registry, no layers.
type images struct {
	byName map[string]string // name suffix -> program path
	known  []string
}

func newImages(m map[string]string) *images {
	im := &images{byName: m}
	for n := range m {
		im.known = append(im.known, n)
	}
	sort.Strings(im.known)
	return im
}

// imageName is the last path element of a reference without tag or digest:
// "registry.k8s.io/gateway-api/echo-basic:v1.5.1" -> "echo-basic".
func imageName(ref string) string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		ref = ref[i+1:]
	}
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[:i]
	}
	return ref
}

// program returns the path for an image, matching the longest configured name the image's
// name ends with.
func (im *images) program(ref string) (string, bool) {
	name := imageName(ref)
	best := ""
	for n := range im.byName {
		if strings.HasSuffix(name, n) && len(n) > len(best) {
			best = n
		}
	}
	if best == "" {
		return "", false
	}
	return im.byName[best], true
}

func (im *images) missingMessage(ref string) string {
	return fmt.Sprintf("image %q has no program on this process kubelet (it runs images whose name ends in one of: %s; nothing is pulled)",
		ref, strings.Join(im.known, ", "))
}

// argv builds the process arguments the way a container runtime does from the image's
// entrypoint (the program) and the container's command/args. A command that names the
// image's own program (any path, e.g. "/coredns") keeps the program; any other command
// cannot run without the image's filesystem.
func (im *images) argv(program string, c *corev1.Container, expand func(string) string) ([]string, error) {
	argv := []string{program}
	if len(c.Command) > 0 {
		cmd0 := expand(c.Command[0])
		base := filepath.Base(cmd0)
		if base != filepath.Base(program) && base != imageName(c.Image) {
			return nil, fmt.Errorf("command %q is not the program of image %q (%s); this kubelet runs only the image's own program",
				cmd0, c.Image, filepath.Base(program))
		}
		for _, a := range c.Command[1:] {
			argv = append(argv, expand(a))
		}
	}
	for _, a := range c.Args {
		argv = append(argv, expand(a))
	}
	return argv, nil
}
