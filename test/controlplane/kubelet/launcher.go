package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// initSpec is what `kubelet init` needs to become one container: it enters the pod's
// network namespace, takes a private mount and UTS namespace, bind-mounts the volumes,
// and execs the program.
type initSpec struct {
	Netns    string   `json:"netns,omitempty"` // empty: host network
	Hostname string   `json:"hostname,omitempty"`
	Mounts   []mount  `json:"mounts,omitempty"`
	Workdir  string   `json:"workdir,omitempty"`
	Argv     []string `json:"argv"`
	// Scratch is a directory of the pod's own where missing mount points are made (see
	// makeMountPoint).
	Scratch string `json:"scratch"`
}

type mount struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	ReadOnly bool   `json:"readOnly,omitempty"`
}

func init() {
	// setns and unshare act on the calling thread; exec keeps only that thread. Keep the
	// main goroutine on the main thread from the start.
	if len(os.Args) > 1 && os.Args[1] == "init" {
		runtime.LockOSThread()
	}
}

// runInit never returns: it execs the container's program or exits 127 with a message
// on stderr (which the kubelet logs as the container's output and reason).
func runInit(args []string) {
	fail := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "process-kubelet init: "+format+"\n", a...)
		os.Exit(127)
	}
	if len(args) != 1 {
		fail("usage: kubelet init <spec.json>")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fail("%v", err)
	}
	var s initSpec
	if err := json.Unmarshal(b, &s); err != nil {
		fail("%s: %v", args[0], err)
	}
	if len(s.Argv) == 0 {
		fail("no program")
	}
	// The program is opened before any mount can hide its path (a volume at /root hides
	// a program cached under /root/.cache).
	prog, err := unix.Open(s.Argv[0], unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		fail("open %s: %v", s.Argv[0], err)
	}
	if s.Netns != "" {
		fd, err := unix.Open(s.Netns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			fail("open %s: %v", s.Netns, err)
		}
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			fail("setns %s: %v", s.Netns, err)
		}
		unix.Close(fd)
	}
	if err := unix.Unshare(unix.CLONE_NEWNS | unix.CLONE_NEWUTS); err != nil {
		fail("unshare: %v", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		fail("make / private: %v", err)
	}
	if s.Hostname != "" {
		if err := unix.Sethostname([]byte(s.Hostname)); err != nil {
			fail("sethostname: %v", err)
		}
	}
	// Sources are opened first too: a mount at /tmp must not hide the pod's directory.
	srcs := make([]int, len(s.Mounts))
	for i, m := range s.Mounts {
		fd, err := unix.Open(m.Source, unix.O_PATH|unix.O_CLOEXEC, 0)
		if err != nil {
			fail("volume source %s: %v", m.Source, err)
		}
		srcs[i] = fd
	}
	// Parents before children (a volume inside another volume's path).
	order := make([]int, len(s.Mounts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return strings.Count(filepath.Clean(s.Mounts[order[a]].Target), "/") < strings.Count(filepath.Clean(s.Mounts[order[b]].Target), "/")
	})
	var mp mountPoints
	for n, i := range order {
		m := s.Mounts[i]
		var st unix.Stat_t
		if err := unix.Fstat(srcs[i], &st); err != nil {
			fail("stat %s: %v", m.Source, err)
		}
		isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
		if err := mp.make(m.Target, isDir, filepath.Join(s.Scratch, strconv.Itoa(n))); err != nil {
			fail("mount point %s: %v", m.Target, err)
		}
		src := "/proc/self/fd/" + strconv.Itoa(srcs[i])
		if err := unix.Mount(src, m.Target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			fail("bind %s at %s: %v", m.Source, m.Target, err)
		}
		if m.ReadOnly {
			if err := unix.Mount("", m.Target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_REC, ""); err != nil {
				fail("read-only %s: %v", m.Target, err)
			}
		}
	}
	if s.Workdir != "" {
		if err := os.MkdirAll(s.Workdir, 0o755); err == nil {
			_ = unix.Chdir(s.Workdir)
		}
	} else {
		_ = unix.Chdir("/")
	}
	err = unix.Exec("/proc/self/fd/"+strconv.Itoa(prog), s.Argv, os.Environ())
	fail("exec %s: %v", s.Argv[0], err)
}

// mountPoints makes mount targets exist without touching the host's filesystem: when a
// directory on the way is missing, the nearest existing ancestor gets an overlay (its
// own content below, a scratch directory of the pod above) in this private mount
// namespace, and the missing part is created in the overlay. An ancestor is overlaid
// once: a second overlay on it would hide the binds already made below it.
type mountPoints struct{ overlaid []string }

func (mp *mountPoints) make(target string, isDir bool, scratch string) error {
	target = filepath.Clean(target)
	if !filepath.IsAbs(target) {
		return fmt.Errorf("not an absolute path")
	}
	if _, err := os.Lstat(target); err == nil {
		return nil
	}
	for _, o := range mp.overlaid {
		if strings.HasPrefix(target, o+"/") {
			return create(target, isDir) // writable: the overlay's upper layer takes it
		}
	}
	anc := filepath.Dir(target)
	for {
		if fi, err := os.Stat(anc); err == nil && fi.IsDir() {
			break
		}
		anc = filepath.Dir(anc)
	}
	if anc == "/" {
		return fmt.Errorf("cannot create a top-level directory (an overlay on / is not possible here)")
	}
	upper, work := filepath.Join(scratch, "upper"), filepath.Join(scratch, "work")
	if err := os.MkdirAll(upper, 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	opts := "lowerdir=" + anc + ",upperdir=" + upper + ",workdir=" + work
	if err := unix.Mount("overlay", anc, "overlay", 0, opts); err != nil {
		return fmt.Errorf("overlay on %s: %v", anc, err)
	}
	mp.overlaid = append(mp.overlaid, anc)
	return create(target, isDir)
}

func create(target string, isDir bool) error {
	if isDir {
		return os.MkdirAll(target, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}
