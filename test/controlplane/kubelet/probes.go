package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/klog/v2"
)

type probeKind int

const (
	startupProbe probeKind = iota
	readinessProbe
	livenessProbe
)

func (k probeKind) String() string {
	return [...]string{"startup", "readiness", "liveness"}[k]
}

// startProbes runs the container's probes from the host (which reaches the pod's IP over
// the bridge) until ctx ends with the instance.
func (w *podWorker) startProbes(ctx context.Context, c *ctr) {
	for kind, p := range map[probeKind]*corev1.Probe{startupProbe: c.spec.StartupProbe, readinessProbe: c.spec.ReadinessProbe, livenessProbe: c.spec.LivenessProbe} {
		if p != nil {
			go w.probeLoop(ctx, c, kind, p)
		}
	}
}

func (w *podWorker) probeLoop(ctx context.Context, c *ctr, kind probeKind, p *corev1.Probe) {
	period := secs(p.PeriodSeconds, 10)
	timeout := secs(p.TimeoutSeconds, 1)
	success := int(max(p.SuccessThreshold, 1))
	failure := int(max(p.FailureThreshold, 3))
	if kind == livenessProbe || kind == startupProbe {
		success = 1
	}
	if !sleepCtx(ctx, secs(p.InitialDelaySeconds, 0)) {
		return
	}
	okRun, failRun := 0, 0
	for {
		w.mu.Lock()
		gated := kind != startupProbe && !c.startedOK
		done := kind == startupProbe && c.startedOK
		w.mu.Unlock()
		if done {
			return
		}
		if !gated {
			err := w.probe(ctx, c, p, timeout)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				okRun, failRun = okRun+1, 0
			} else {
				okRun, failRun = 0, failRun+1
				klog.V(2).InfoS("probe failed", "pod", w.namespace+"/"+w.name, "container", c.spec.Name, "probe", kind.String(), "err", err)
			}
			w.probeResult(c, kind, okRun >= success, failRun >= failure, err)
		}
		if !sleepCtx(ctx, period) {
			return
		}
	}
}

// probeResult applies the thresholds: readiness flips ready, startup marks the container
// started (or kills it), liveness kills it for a restart.
func (w *podWorker) probeResult(c *ctr, kind probeKind, succeeded, failed bool, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !c.running() {
		return
	}
	switch kind {
	case readinessProbe:
		if succeeded && !c.ready {
			c.ready = true
			w.wakeLocked()
		} else if failed && c.ready {
			c.ready = false
			w.wakeLocked()
		}
	case startupProbe:
		if succeeded && !c.startedOK {
			c.startedOK = true
			c.ready = c.spec.ReadinessProbe == nil
			w.wakeLocked()
		} else if failed {
			w.killForRestart(c, fmt.Sprintf("startup probe failed: %v", err))
		}
	case livenessProbe:
		if failed {
			w.killForRestart(c, fmt.Sprintf("liveness probe failed: %v", err))
		}
	}
}

// killForRestart kills the instance in the background; its exit restarts it per policy.
// Called with the mutex held.
func (w *podWorker) killForRestart(c *ctr, why string) {
	if c.stopping {
		return // already being killed
	}
	klog.InfoS("killing container", "pod", w.namespace+"/"+w.name, "container", c.spec.Name, "reason", why)
	grace := time.Duration(30) * time.Second
	if w.pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*w.pod.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	go w.kill(c, grace)
}

func (w *podWorker) probe(ctx context.Context, c *ctr, p *corev1.Probe, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host := w.podIPString()
	port := func(v intstr.IntOrString) (int, error) { return resolvePort(v, &c.spec) }
	switch {
	case p.HTTPGet != nil:
		g := p.HTTPGet
		pt, err := port(g.Port)
		if err != nil {
			return err
		}
		h := host
		if g.Host != "" {
			h = g.Host
		}
		scheme := "http"
		if g.Scheme == corev1.URISchemeHTTPS {
			scheme = "https"
		}
		path := g.Path
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort(h, strconv.Itoa(pt))+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("User-Agent", "kube-probe/process-kubelet")
		for _, hd := range g.HTTPHeaders {
			if strings.EqualFold(hd.Name, "host") {
				req.Host = hd.Value
			} else {
				req.Header.Add(hd.Name, hd.Value)
			}
		}
		resp, err := probeClient.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 10<<10))
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode >= 400 {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	case p.TCPSocket != nil:
		pt, err := port(p.TCPSocket.Port)
		if err != nil {
			return err
		}
		h := host
		if p.TCPSocket.Host != "" {
			h = p.TCPSocket.Host
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(h, strconv.Itoa(pt)))
		if err != nil {
			return err
		}
		return conn.Close()
	case p.GRPC != nil:
		conn, err := grpc.NewClient(net.JoinHostPort(host, strconv.Itoa(int(p.GRPC.Port))), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return err
		}
		defer conn.Close()
		svc := ""
		if p.GRPC.Service != nil {
			svc = *p.GRPC.Service
		}
		r, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil {
			return err
		}
		if r.Status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("gRPC health %s", r.Status)
		}
		return nil
	case p.Exec != nil:
		return w.execProbe(ctx, c, p.Exec.Command)
	}
	return fmt.Errorf("probe has no handler")
}

// execProbe runs the command in the container's network namespace and with its mounts
// (a fresh mount namespace with the same binds). The command is a program of this
// machine: there is no image filesystem to find it in.
func (w *podWorker) execProbe(ctx context.Context, c *ctr, command []string) error {
	if len(command) == 0 {
		return fmt.Errorf("exec probe without a command")
	}
	prog, err := exec.LookPath(command[0])
	if err != nil {
		return err
	}
	w.mu.Lock()
	env, vars, err := containerEnv(ctx, w.k.client, podFields{pod: w.pod, podIP: w.podIPString(), hostIP: w.k.cfg.nodeIP.String()}, &c.spec)
	var mounts []mount
	if err == nil {
		mounts, err = w.mounts(&c.spec, vars)
	}
	spec := initSpec{Hostname: hostname(w.pod), Mounts: mounts, Workdir: c.spec.WorkingDir, Argv: append([]string{prog}, command[1:]...)}
	if w.sb != nil {
		spec.Netns = w.sb.path()
	}
	dir := filepath.Join(w.dir, "run")
	w.mu.Unlock()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "probe-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	spec.Scratch = f.Name() + ".scratch"
	defer os.RemoveAll(spec.Scratch)
	_ = json.NewEncoder(f).Encode(spec)
	f.Close()
	self, _ := os.Executable()
	cmd := exec.CommandContext(ctx, self, "init", f.Name())
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

var probeClient = &http.Client{
	Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // as the kubelet: probes do not verify
		DisableKeepAlives: true,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func resolvePort(v intstr.IntOrString, c *corev1.Container) (int, error) {
	if v.Type == intstr.Int {
		return v.IntValue(), nil
	}
	for _, p := range c.Ports {
		if p.Name == v.StrVal {
			return int(p.ContainerPort), nil
		}
	}
	if n, err := strconv.Atoi(v.StrVal); err == nil {
		return n, nil
	}
	return 0, fmt.Errorf("no container port named %q", v.StrVal)
}

func secs(v int32, def int32) time.Duration {
	if v <= 0 {
		v = def
	}
	return time.Duration(v) * time.Second
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
