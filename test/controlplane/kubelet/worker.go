package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

const (
	volumeResync  = time.Minute
	setupRetry    = 2 * time.Second
	shutdownGrace = 2 * time.Second
)

// podWorker owns one pod on this node: its sandbox, volumes and container processes,
// and the pod's status. Its goroutine (run) does every state change; process exits and
// probe results only record facts and wake it.
type podWorker struct {
	k               *kubelet
	uid             types.UID
	namespace, name string
	dir             string

	mu        sync.Mutex
	pod       *corev1.Pod
	wakeCh    chan struct{}
	gone      bool // the API object is gone
	quit      bool // the kubelet is stopping
	sb        *sandbox
	podIP     net.IP
	vols      *volumeSet
	volsReady bool
	volsAt    time.Time
	setupErr  string
	setupAt   time.Time
	inits     []*ctr
	ctrs      []*ctr
	startTime metav1.Time
	pushed    *corev1.PodStatus
	finished  bool // terminal phase reached: processes stopped, sandbox removed
}

func newPodWorker(k *kubelet, pod *corev1.Pod) *podWorker {
	w := &podWorker{
		k: k, uid: pod.UID, namespace: pod.Namespace, name: pod.Name,
		dir:    filepath.Join(k.cfg.rootDir, "pods", string(pod.UID)),
		pod:    pod,
		wakeCh: make(chan struct{}, 1),
	}
	w.vols = newVolumeSet(w)
	for _, c := range pod.Spec.InitContainers {
		w.inits = append(w.inits, &ctr{spec: c, init: true, sidecar: c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways})
	}
	for _, c := range pod.Spec.Containers {
		w.ctrs = append(w.ctrs, &ctr{spec: c})
	}
	return w
}

func (w *podWorker) update(pod *corev1.Pod) {
	w.mu.Lock()
	if !olderRV(pod.ResourceVersion, w.pod.ResourceVersion) {
		w.pod = pod
	}
	w.mu.Unlock()
	w.wake()
}

func (w *podWorker) removed() {
	w.mu.Lock()
	w.gone = true
	w.mu.Unlock()
	w.wake()
}

func (w *podWorker) shutdown() {
	w.mu.Lock()
	w.quit = true
	w.mu.Unlock()
	w.wake()
}

func (w *podWorker) wake() {
	select {
	case w.wakeCh <- struct{}{}:
	default:
	}
}

func (w *podWorker) wakeLocked() { w.wake() }

func (w *podWorker) podIPString() string {
	if w.podIP == nil {
		return ""
	}
	return w.podIP.String()
}

func (w *podWorker) run() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if w.step() {
			return
		}
		select {
		case <-w.wakeCh:
		case <-tick.C:
		}
	}
}

// step moves the pod one step towards what its object asks; true when the worker is done.
func (w *podWorker) step() bool {
	ctx := context.Background()
	w.mu.Lock()
	pod, gone, quit := w.pod, w.gone, w.quit
	w.mu.Unlock()

	switch {
	case quit:
		w.terminate(shutdownGrace)
		w.teardown(false)
		return true
	case gone:
		w.terminate(shutdownGrace)
		w.teardown(true)
		return true
	case pod.DeletionTimestamp != nil:
		grace := time.Duration(ptr.Deref(pod.DeletionGracePeriodSeconds, 0)) * time.Second
		w.terminate(grace)
		w.teardown(false)
		w.mu.Lock()
		ran := !w.startTime.IsZero()
		w.mu.Unlock()
		if ran {
			w.pushStatus(ctx) // the containers' final states
		}
		zero := int64(0)
		err := w.k.client.CoreV1().Pods(w.namespace).Delete(ctx, w.name, metav1.DeleteOptions{
			GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &w.uid},
		})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
			klog.ErrorS(err, "deleting pod", "pod", w.namespace+"/"+w.name)
			return false // retried on the next tick
		}
		_ = os.RemoveAll(w.dir)
		return true
	}
	if w.finished {
		return false
	}

	w.mu.Lock()
	if w.startTime.IsZero() {
		w.startTime = metav1.Now()
	}
	w.mu.Unlock()
	if !w.setup(ctx, pod) {
		w.pushStatus(ctx)
		return false
	}
	w.mu.Lock()
	w.runContainers(ctx)
	phase := w.phaseLocked()
	w.mu.Unlock()
	w.pushStatus(ctx)
	if phase == corev1.PodSucceeded || phase == corev1.PodFailed {
		// Terminal: nothing restarts; sidecars stop; the address is released (the status
		// keeps showing it, as the kubelet's does).
		w.terminate(shutdownGrace)
		w.teardown(false)
		w.mu.Lock()
		w.finished = true
		w.mu.Unlock()
		w.pushStatus(ctx)
	}
	return false
}

// setup makes the sandbox and the volumes; false (with setupErr) while it cannot.
func (w *podWorker) setup(ctx context.Context, pod *corev1.Pod) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.setupAt.IsZero() && time.Since(w.setupAt) < setupRetry && w.setupErr != "" {
		return false
	}
	w.setupAt = time.Now()
	if w.podIP == nil {
		if pod.Spec.HostNetwork {
			w.podIP = w.k.cfg.nodeIP
		} else {
			ip, err := w.k.ipam.allocate(w.k.cfg.gateway)
			if err != nil {
				w.setupErr = err.Error()
				return false
			}
			sb, err := w.k.createSandbox(w.uid, ip)
			if err != nil {
				w.k.ipam.release(ip)
				w.setupErr = "network: " + err.Error()
				klog.ErrorS(err, "creating sandbox", "pod", w.namespace+"/"+w.name)
				return false
			}
			w.sb, w.podIP = sb, ip
		}
	}
	fields := podFields{pod: pod, podIP: w.podIPString(), hostIP: w.k.cfg.nodeIP.String()}
	if !w.volsReady || time.Since(w.volsAt) > volumeResync {
		if err := w.vols.sync(ctx, pod, fields, !w.volsReady); err != nil {
			if !w.volsReady {
				w.setupErr = err.Error()
				return false
			}
			klog.ErrorS(err, "refreshing volumes", "pod", w.namespace+"/"+w.name)
		}
		w.volsReady, w.volsAt = true, time.Now()
	}
	w.setupErr = ""
	return true
}

// runContainers starts what should run: init containers one by one, then every regular
// container; failed ones again after their backoff, per restartPolicy. Mutex held.
func (w *podWorker) runContainers(ctx context.Context) {
	policy := w.pod.Spec.RestartPolicy
	for _, c := range w.inits {
		if c.succeeded {
			continue
		}
		if c.sidecar {
			if !c.running() {
				w.maybeStart(ctx, c, true)
			}
			if c.running() && c.startedOK {
				continue
			}
			return
		}
		if c.running() {
			return
		}
		if c.term == nil || policy != corev1.RestartPolicyNever {
			w.maybeStart(ctx, c, true)
		}
		return // the next init container waits for this one
	}
	for _, c := range w.ctrs {
		if c.running() {
			continue
		}
		restart := c.term == nil || policy == corev1.RestartPolicyAlways || (policy == corev1.RestartPolicyOnFailure && c.term.ExitCode != 0)
		if restart {
			w.maybeStart(ctx, c, false)
		}
	}
}

func (w *podWorker) maybeStart(ctx context.Context, c *ctr, init bool) {
	if c.program == "" {
		p, ok := w.k.images.program(c.spec.Image)
		if !ok {
			c.waitingReason, c.waitingMessage = "ErrImageNeverPull", w.k.images.missingMessage(c.spec.Image)
			return
		}
		c.program = p
	}
	if c.term != nil && time.Now().Before(c.backoffUntil) {
		c.waitingReason = "CrashLoopBackOff"
		c.waitingMessage = fmt.Sprintf("back-off %s restarting failed container=%s pod=%s_%s(%s)", c.backoff, c.spec.Name, w.name, w.namespace, w.uid)
		return
	}
	w.start(ctx, c)
}

// terminate kills every running container (regular ones first, then init/sidecars),
// each with grace, and waits for them.
func (w *podWorker) terminate(grace time.Duration) {
	for _, group := range [][]*ctr{w.ctrs, w.inits} {
		var wg sync.WaitGroup
		for _, c := range group {
			wg.Add(1)
			go func() { defer wg.Done(); w.kill(c, grace) }()
		}
		wg.Wait()
	}
}

// teardown removes the network namespace and releases the address; with purge, also the
// pod's files.
func (w *podWorker) teardown(purge bool) {
	w.mu.Lock()
	sb := w.sb
	w.sb = nil
	w.mu.Unlock()
	if sb != nil {
		sb.remove()
		w.k.ipam.release(sb.ip)
	}
	if purge {
		_ = os.RemoveAll(w.dir)
	}
}

// phaseLocked is the kubelet's rule: Pending while a container has never run, Running
// while any runs or will restart, else Succeeded/Failed by exit codes.
func (w *podWorker) phaseLocked() corev1.PodPhase {
	if w.finished && w.pushed != nil {
		return w.pushed.Phase
	}
	policy := w.pod.Spec.RestartPolicy
	for _, c := range w.inits {
		if c.sidecar || c.succeeded {
			continue
		}
		if c.term != nil && policy == corev1.RestartPolicyNever {
			return corev1.PodFailed
		}
		return corev1.PodPending
	}
	pending, running, stopped, succeeded := 0, 0, 0, 0
	for _, c := range w.ctrs {
		switch {
		case c.running():
			running++
		case c.term != nil:
			stopped++
			if c.term.ExitCode == 0 {
				succeeded++
			}
		default:
			pending++
		}
	}
	switch {
	case pending > 0:
		return corev1.PodPending
	case running > 0:
		return corev1.PodRunning
	case policy == corev1.RestartPolicyAlways:
		return corev1.PodRunning
	case stopped == succeeded:
		return corev1.PodSucceeded
	case policy == corev1.RestartPolicyOnFailure:
		return corev1.PodRunning
	default:
		return corev1.PodFailed
	}
}

func (w *podWorker) containerStatus(c *ctr) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{
		Name:         c.spec.Name,
		Image:        c.spec.Image,
		RestartCount: c.restarts,
	}
	if c.program != "" {
		cs.ImageID = "process://" + c.program
	}
	switch {
	case c.running():
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(c.started)}
		cs.ContainerID = c.containerID()
		cs.Ready = c.ready && c.startedOK
		cs.Started = ptr.To(c.startedOK)
		if c.lastTerm != nil {
			cs.LastTerminationState.Terminated = c.lastTerm
		}
	case c.term != nil && c.waitingReason == "CrashLoopBackOff" && !w.finished:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: c.waitingReason, Message: c.waitingMessage}
		cs.LastTerminationState.Terminated = c.term
		cs.Started = ptr.To(false)
	case c.term != nil:
		cs.State.Terminated = c.term
		cs.ContainerID = c.term.ContainerID
		cs.Started = ptr.To(false)
		if c.lastTerm != nil {
			cs.LastTerminationState.Terminated = c.lastTerm
		}
	default:
		reason, msg := c.waitingReason, c.waitingMessage
		if reason == "" {
			reason = "ContainerCreating"
			if w.setupErr != "" {
				msg = w.setupErr
			}
		}
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: msg}
		cs.Started = ptr.To(false)
	}
	return cs
}

// statusLocked is the pod's status as this kubelet sees it, on top of what others own
// (PodScheduled, DisruptionTarget, readiness gates, qosClass, nominatedNodeName...).
func (w *podWorker) statusLocked() corev1.PodStatus {
	pod := w.pod
	st := *pod.Status.DeepCopy()
	st.Phase = w.phaseLocked()
	if p := pod.Status.Phase; p == corev1.PodSucceeded || p == corev1.PodFailed {
		st.Phase = p // terminal is forever (a kubelet restart must not revive it)
	}
	st.ObservedGeneration = pod.Generation
	st.HostIP = w.k.cfg.nodeIP.String()
	st.HostIPs = []corev1.HostIP{{IP: st.HostIP}}
	if w.podIP != nil {
		st.PodIP = w.podIP.String()
		st.PodIPs = []corev1.PodIP{{IP: st.PodIP}}
	}
	start := w.startTime
	st.StartTime = &start
	st.InitContainerStatuses = nil
	for _, c := range w.inits {
		st.InitContainerStatuses = append(st.InitContainerStatuses, w.containerStatus(c))
	}
	st.ContainerStatuses = nil
	for _, c := range w.ctrs {
		st.ContainerStatuses = append(st.ContainerStatuses, w.containerStatus(c))
	}
	if st.Phase == corev1.PodPending && w.setupErr != "" {
		st.Message = w.setupErr
	} else {
		st.Message = ""
	}

	terminal := st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed
	var notInit, notReady []string
	for i, c := range w.inits {
		if !(c.succeeded || (c.sidecar && c.running() && c.startedOK)) {
			notInit = append(notInit, c.spec.Name)
		}
		if c.sidecar && !st.InitContainerStatuses[i].Ready {
			notReady = append(notReady, c.spec.Name)
		}
	}
	for i, c := range w.ctrs {
		if !st.ContainerStatuses[i].Ready {
			notReady = append(notReady, c.spec.Name)
		}
	}
	cond := func(t corev1.PodConditionType, ok bool, reason, msg string) corev1.PodCondition {
		s := corev1.ConditionFalse
		if ok {
			s, reason, msg = corev1.ConditionTrue, "", ""
		}
		return corev1.PodCondition{Type: t, Status: s, Reason: reason, Message: msg, ObservedGeneration: pod.Generation}
	}
	unready := func(kind string, names []string) string {
		return fmt.Sprintf("containers with %s status: [%s]", kind, strings.Join(names, " "))
	}
	containersReady := len(notReady) == 0 && !terminal
	readyReason, readyMsg := "ContainersNotReady", unready("unready", notReady)
	if terminal {
		readyReason, readyMsg = "PodCompleted", ""
	}
	ready := containersReady
	var gates []string
	for _, g := range pod.Spec.ReadinessGates {
		ok := false
		for _, c := range pod.Status.Conditions {
			if c.Type == g.ConditionType && c.Status == corev1.ConditionTrue {
				ok = true
			}
		}
		if !ok {
			gates = append(gates, string(g.ConditionType))
		}
	}
	readyCond := cond(corev1.PodReady, ready && len(gates) == 0, readyReason, readyMsg)
	if ready && len(gates) > 0 {
		readyCond.Reason, readyCond.Message = "ReadinessGatesNotReady", "corresponding condition of pod readiness gate "+strings.Join(gates, ", ")+" does not exist or is not True"
	}
	ours := []corev1.PodCondition{
		cond(corev1.PodReadyToStartContainers, w.podIP != nil && !w.finished, "", ""),
		cond(corev1.PodInitialized, len(notInit) == 0, "ContainersNotInitialized", unready("incomplete", notInit)),
		cond(corev1.ContainersReady, containersReady, readyReason, readyMsg),
		readyCond,
	}
	if terminal {
		ours[1] = cond(corev1.PodInitialized, true, "", "")
		ours[1].Reason = "PodCompleted"
	}
	var conds []corev1.PodCondition
	for _, c := range pod.Status.Conditions {
		mine := false
		for _, o := range ours {
			if o.Type == c.Type {
				mine = true
			}
		}
		if !mine {
			conds = append(conds, c)
		}
	}
	now := metav1.Now()
	for _, o := range ours {
		o.LastTransitionTime = now
		for _, c := range pod.Status.Conditions {
			if c.Type == o.Type && c.Status == o.Status {
				o.LastTransitionTime = c.LastTransitionTime
			}
		}
		conds = append(conds, o)
	}
	st.Conditions = conds
	return st
}

// pushStatus writes the status when it changed; conflicts retry on a fresh object.
func (w *podWorker) pushStatus(ctx context.Context) {
	w.mu.Lock()
	st := w.statusLocked()
	if w.pushed != nil && apiequality.Semantic.DeepEqual(*w.pushed, st) {
		w.mu.Unlock()
		return
	}
	pod := w.pod.DeepCopy()
	w.mu.Unlock()
	first := true
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if !first {
			fresh, err := w.k.client.CoreV1().Pods(w.namespace).Get(ctx, w.name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if fresh.UID != w.uid {
				return apierrors.NewNotFound(corev1.Resource("pods"), w.name)
			}
			w.mu.Lock()
			w.pod = fresh
			st = w.statusLocked()
			w.mu.Unlock()
			pod = fresh.DeepCopy()
		}
		first = false
		pod.Status = st
		updated, err := w.k.client.CoreV1().Pods(w.namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		if err == nil {
			w.mu.Lock()
			if !olderRV(updated.ResourceVersion, w.pod.ResourceVersion) {
				w.pod = updated
			}
			w.mu.Unlock()
		}
		return err
	})
	if err != nil {
		if !apierrors.IsNotFound(err) {
			klog.ErrorS(err, "updating pod status", "pod", w.namespace+"/"+w.name)
		}
		return
	}
	w.mu.Lock()
	w.pushed = &st
	w.mu.Unlock()
}

// logFile is the log of a container's current (or previous) instance, and whether that
// instance still runs.
func (w *podWorker) logFile(container string, previous bool) (string, func() bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range append(append([]*ctr{}, w.inits...), w.ctrs...) {
		if c.spec.Name != container {
			continue
		}
		n := c.instances - 1
		if previous {
			n--
		}
		if n < 0 {
			if previous {
				return "", nil, fmt.Errorf("previous terminated container %q in pod %q not found", container, w.name)
			}
			return "", nil, fmt.Errorf("container %q in pod %q is waiting to start: %s", container, w.name, c.waitingReason)
		}
		path := filepath.Join(w.dir, "logs", container, fmt.Sprintf("%d.log", n))
		inst := c.instances
		return path, func() bool {
			w.mu.Lock()
			defer w.mu.Unlock()
			return !previous && c.instances == inst && c.running()
		}, nil
	}
	return "", nil, fmt.Errorf("container %q is not valid for pod %q", container, w.name)
}

// olderRV: a is an older resourceVersion than b (both are etcd revisions here).
func olderRV(a, b string) bool {
	x, err1 := strconv.ParseUint(a, 10, 64)
	y, err2 := strconv.ParseUint(b, 10, 64)
	return err1 == nil && err2 == nil && x < y
}
