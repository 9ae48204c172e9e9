package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

// sandbox is a pod's network: a named network namespace (/run/netns/<netns>) whose eth0
// is one end of a veth pair; the other end (<hostVeth>) is a port of the bridge.
type sandbox struct {
	netns    string
	hostVeth string
	ip       net.IP
}

func sandboxNames(prefix string, uid types.UID) (netns, veth string) {
	sum := sha256.Sum256([]byte(uid))
	n := 15 - len(prefix)
	return prefix + "-" + string(uid), prefix + hex.EncodeToString(sum[:])[:n]
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// createSandbox makes the namespace and wires it: pod address/prefixLen on eth0, default
// route via the bridge's address, loopback up.
func (k *kubelet) createSandbox(uid types.UID, podIP net.IP) (*sandbox, error) {
	netns, veth := sandboxNames(k.cfg.namePrefix, uid)
	s := &sandbox{netns: netns, hostVeth: veth, ip: podIP}
	// A leftover of the same pod (a kubelet restart) goes first.
	s.remove()
	addr := fmt.Sprintf("%s/%d", podIP, k.cfg.prefixLen)
	steps := [][]string{
		{"netns", "add", netns},
		{"link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns},
		{"link", "set", veth, "master", k.cfg.bridge},
		{"link", "set", veth, "up"},
		{"-n", netns, "addr", "add", addr, "dev", "eth0"},
		{"-n", netns, "link", "set", "eth0", "up"},
		{"-n", netns, "link", "set", "lo", "up"},
		{"-n", netns, "route", "add", "default", "via", k.cfg.gateway.String()},
	}
	for _, st := range steps {
		if err := ip(st...); err != nil {
			s.remove()
			return nil, err
		}
	}
	return s, nil
}

func (s *sandbox) path() string { return "/run/netns/" + s.netns }

// remove deletes the namespace (which destroys eth0 and with it the host end of the
// pair) and the host veth if it survived.
func (s *sandbox) remove() {
	if _, err := os.Stat("/run/netns/" + s.netns); err == nil {
		if err := ip("netns", "delete", s.netns); err != nil {
			klog.ErrorS(err, "removing network namespace", "netns", s.netns)
		}
	}
	if _, err := net.InterfaceByName(s.hostVeth); err == nil {
		_ = ip("link", "delete", s.hostVeth)
	}
}

// removeStaleSandboxes deletes every namespace and link with this node's prefix.
func removeStaleSandboxes(prefix string) {
	entries, _ := os.ReadDir("/run/netns")
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix+"-") {
			if err := ip("netns", "delete", e.Name()); err != nil {
				klog.ErrorS(err, "removing stale network namespace", "netns", e.Name())
			}
		}
	}
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		if strings.HasPrefix(i.Name, prefix) && len(i.Name) == 15 {
			_ = ip("link", "delete", i.Name)
		}
	}
}
