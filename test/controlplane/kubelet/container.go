package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
)

// ctr is one container of a pod: its spec, the current process (if any) and what the
// status reports. Fields are guarded by the pod worker's mutex.
type ctr struct {
	spec    corev1.Container
	init    bool
	sidecar bool // init container with restartPolicy Always

	restarts  int32 // instances started before the current one
	instances int32 // instances started, in total
	program   string

	proc     *os.Process
	pid      int
	started  time.Time
	exited   chan struct{} // closed when the current process is gone
	stopping bool          // the kubelet is killing it (deletion, liveness)
	log      *logWriter
	logPath  string

	waitingReason, waitingMessage string
	term                          *corev1.ContainerStateTerminated // current instance, once it exited
	lastTerm                      *corev1.ContainerStateTerminated // previous instance
	backoff                       time.Duration
	backoffUntil                  time.Time
	succeeded                     bool // init container: finished with 0

	ready       bool // readiness probe (true without one)
	startedOK   bool // startup probe (true without one)
	probeCancel context.CancelFunc
}

func (c *ctr) running() bool { return c.proc != nil && c.term == nil }

func (c *ctr) containerID() string {
	sum := sha256.Sum256([]byte(c.logPath))
	return "process://" + hex.EncodeToString(sum[:16])
}

// start launches a new instance of c: `kubelet init` enters the pod's namespaces, mounts
// the volumes and execs the program. Configuration problems become waiting reasons.
func (w *podWorker) start(ctx context.Context, c *ctr) {
	pod := w.pod
	fields := podFields{pod: pod, podIP: w.podIPString(), hostIP: w.k.cfg.nodeIP.String()}
	env, vars, err := containerEnv(ctx, w.k.client, fields, &c.spec)
	if err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerConfigError", err.Error()
		return
	}
	argv, err := w.k.images.argv(c.program, &c.spec, func(s string) string { return expand(s, vars) })
	if err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	mounts, err := w.mounts(&c.spec, vars)
	if err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerConfigError", err.Error()
		return
	}
	n := c.instances
	base := filepath.Join(w.dir, "run", fmt.Sprintf("%s-%d", c.spec.Name, n))
	spec := initSpec{Hostname: hostname(pod), Mounts: mounts, Workdir: c.spec.WorkingDir, Argv: argv, Scratch: base + ".scratch"}
	if w.sb != nil {
		spec.Netns = w.sb.path()
	}
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	b, _ := json.Marshal(spec)
	if err := os.WriteFile(base+".json", b, 0o600); err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	logDir := filepath.Join(w.dir, "logs", c.spec.Name)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	logPath := filepath.Join(logDir, strconv.Itoa(int(n))+".log")
	lw, err := openLog(logPath)
	if err != nil {
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		lw.close()
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		lw.close()
		c.waitingReason, c.waitingMessage = "CreateContainerError", err.Error()
		return
	}
	self, _ := os.Executable()
	cmd := exec.Command(self, "init", base+".json")
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = outW, errW
	// Its own process group (killed as a whole), and gone with the kubelet.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		lw.close()
		c.waitingReason, c.waitingMessage = "StartError", err.Error()
		return
	}
	if c.instances > 0 {
		c.restarts++
	}
	c.instances++
	c.proc, c.pid, c.started, c.log, c.logPath = cmd.Process, cmd.Process.Pid, time.Now(), lw, logPath
	c.exited = make(chan struct{})
	c.stopping = false
	if c.term != nil {
		c.lastTerm = c.term
	}
	c.term = nil
	c.waitingReason, c.waitingMessage = "", ""
	c.ready = c.spec.ReadinessProbe == nil
	c.startedOK = c.spec.StartupProbe == nil
	exited := c.exited
	copied := make(chan struct{}, 2)
	go func() { lw.copyLines(outR, "stdout"); outR.Close(); copied <- struct{}{} }()
	go func() { lw.copyLines(errR, "stderr"); errR.Close(); copied <- struct{}{} }()
	go func() {
		err := cmd.Wait()
		// The pipes close when every process of the group has gone; a daemonized child
		// may keep them open, so do not wait for them long.
		for i := 0; i < 2; i++ {
			select {
			case <-copied:
			case <-time.After(2 * time.Second):
			}
		}
		w.exitedProcess(c, cmd, err)
		close(exited)
	}()
	probeCtx, cancel := context.WithCancel(context.Background())
	c.probeCancel = cancel
	w.startProbes(probeCtx, c)
}

// exitedProcess records how an instance ended.
func (w *podWorker) exitedProcess(c *ctr, cmd *exec.Cmd, err error) {
	code, signal := 0, 0
	if cmd.ProcessState == nil {
		code = 1
	} else if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
		if ws.Signaled() {
			signal = int(ws.Signal())
			code = 128 + signal
		} else {
			code = ws.ExitStatus()
		}
	} else if err != nil {
		code = 1
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if c.probeCancel != nil {
		c.probeCancel()
		c.probeCancel = nil
	}
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	msg := ""
	if code != 0 {
		msg = lastLine(c.logPath)
	}
	c.term = &corev1.ContainerStateTerminated{
		ExitCode: int32(code), Signal: int32(signal), Reason: reason, Message: msg,
		StartedAt: metav1.NewTime(c.started), FinishedAt: metav1.Now(), ContainerID: c.containerID(),
	}
	c.ready = false
	if c.init && code == 0 && !c.sidecar {
		c.succeeded = true
	}
	klog.V(1).InfoS("container exited", "pod", w.namespace+"/"+w.name, "container", c.spec.Name, "exitCode", code)
	c.log.close()
	// Backoff before the next start: doubles per failure, reset after 10 minutes of running.
	if time.Since(c.started) > 10*time.Minute || c.backoff == 0 {
		c.backoff = w.k.cfg.restartBackoff
	} else {
		c.backoff *= 2
		if c.backoff > w.k.cfg.maxBackoff {
			c.backoff = w.k.cfg.maxBackoff
		}
	}
	c.backoffUntil = time.Now().Add(c.backoff)
	w.wakeLocked()
}

// kill stops the current instance: SIGTERM to its process group, SIGKILL after grace.
// It returns once the process is gone. Called without the worker's mutex.
func (w *podWorker) kill(c *ctr, grace time.Duration) {
	w.mu.Lock()
	if !c.running() {
		w.mu.Unlock()
		return
	}
	c.stopping = true
	pid, exited := c.pid, c.exited
	w.mu.Unlock()
	if grace > 0 {
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-exited:
			return
		case <-time.After(grace):
		}
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
	}
}

// mounts turns the container's volumeMounts into bind mounts from the pod's volumes.
func (w *podWorker) mounts(c *corev1.Container, vars map[string]string) ([]mount, error) {
	var out []mount
	for _, vm := range c.VolumeMounts {
		src, ok := w.vols.paths[vm.Name]
		if !ok {
			return nil, fmt.Errorf("volumeMount %q: no such volume", vm.Name)
		}
		sub := vm.SubPath
		if vm.SubPathExpr != "" {
			sub = expand(vm.SubPathExpr, vars)
		}
		if sub != "" {
			clean := filepath.Clean(sub)
			if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
				return nil, fmt.Errorf("volumeMount %q: subPath %q leaves the volume", vm.Name, sub)
			}
			src = filepath.Join(src, clean)
			if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
				if err := os.MkdirAll(src, 0o755); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, mount{Source: src, Target: vm.MountPath, ReadOnly: vm.ReadOnly || w.vols.ro[vm.Name]})
	}
	return out, nil
}

func lastLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		// "<ts> <stream> <text>"
		f := strings.SplitN(lines[i], " ", 3)
		if len(f) == 3 {
			return f[2]
		}
	}
	return ""
}
