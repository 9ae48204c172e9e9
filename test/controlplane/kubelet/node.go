package main

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

const (
	leaseDuration   = 40 * time.Second
	leaseRenew      = 10 * time.Second
	statusFrequency = time.Minute
	notReadyTaint   = "node.kubernetes.io/not-ready"
)

func (k *kubelet) nodeStatus() corev1.NodeStatus {
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    *resource.NewQuantity(int64(runtime.NumCPU()), resource.DecimalSI),
		corev1.ResourceMemory: *resource.NewQuantity(memTotal(), resource.BinarySI),
		corev1.ResourcePods:   *resource.NewQuantity(int64(k.cfg.maxPods), resource.DecimalSI),
	}
	now := metav1.Now()
	cond := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	var uts syscall.Utsname
	_ = syscall.Uname(&uts)
	return corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity,
		Conditions: []corev1.NodeCondition{
			cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "process kubelet"),
			cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "process kubelet"),
			cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "process kubelet"),
			cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "process kubelet is posting ready status"),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: k.cfg.nodeIP.String()},
			{Type: corev1.NodeHostName, Address: k.cfg.nodeName},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(k.port)}},
		NodeInfo: corev1.NodeSystemInfo{
			MachineID:               readTrim("/etc/machine-id"),
			BootID:                  readTrim("/proc/sys/kernel/random/boot_id"),
			KernelVersion:           utsString(uts.Release[:]),
			OSImage:                 "process kubelet (gatehouse test cluster)",
			ContainerRuntimeVersion: "process://" + k.cfg.version,
			KubeletVersion:          k.cfg.version,
			OperatingSystem:         runtime.GOOS,
			Architecture:            runtime.GOARCH,
		},
	}
}

// registerNode creates the Node (or takes over an existing one), clears the not-ready
// taint the API server adds at creation (there is no node-lifecycle controller), and
// posts a Ready status.
func (k *kubelet) registerNode(ctx context.Context) error {
	nodes := k.client.CoreV1().Nodes()
	labels := map[string]string{
		"kubernetes.io/hostname": k.cfg.nodeName,
		"kubernetes.io/os":       runtime.GOOS,
		"kubernetes.io/arch":     runtime.GOARCH,
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: k.cfg.nodeName, Labels: labels},
		Spec:       corev1.NodeSpec{PodCIDR: k.cfg.podCIDR.String(), PodCIDRs: []string{k.cfg.podCIDR.String()}},
	}
	if _, err := nodes.Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := nodes.Get(ctx, k.cfg.nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		taints := n.Spec.Taints[:0]
		for _, t := range n.Spec.Taints {
			if t.Key != notReadyTaint {
				taints = append(taints, t)
			}
		}
		n.Spec.Taints = taints
		n.Spec.Unschedulable = false
		for k2, v := range labels {
			if n.Labels == nil {
				n.Labels = map[string]string{}
			}
			n.Labels[k2] = v
		}
		n, err = nodes.Update(ctx, n, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		n.Status = k.nodeStatus()
		_, err = nodes.UpdateStatus(ctx, n, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	return k.renewLease(ctx)
}

func (k *kubelet) heartbeat(ctx context.Context) {
	lease := time.NewTicker(leaseRenew)
	status := time.NewTicker(statusFrequency)
	defer lease.Stop()
	defer status.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-lease.C:
			if err := k.renewLease(ctx); err != nil && ctx.Err() == nil {
				klog.ErrorS(err, "renewing lease")
			}
		case <-status.C:
			err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
				n, err := k.client.CoreV1().Nodes().Get(ctx, k.cfg.nodeName, metav1.GetOptions{})
				if err != nil {
					return err
				}
				n.Status = k.nodeStatus()
				_, err = k.client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
				return err
			})
			if err != nil && ctx.Err() == nil {
				klog.ErrorS(err, "posting node status")
			}
		}
	}
}

func (k *kubelet) renewLease(ctx context.Context) error {
	leases := k.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	l, err := leases.Get(ctx, k.cfg.nodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		n, err := k.client.CoreV1().Nodes().Get(ctx, k.cfg.nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		_, err = leases.Create(ctx, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{
				Name:            k.cfg.nodeName,
				OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: n.Name, UID: n.UID}},
			},
			Spec: coordinationv1.LeaseSpec{
				HolderIdentity:       ptr.To(k.cfg.nodeName),
				LeaseDurationSeconds: ptr.To(int32(leaseDuration / time.Second)),
				RenewTime:            &now,
			},
		}, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	l.Spec.HolderIdentity = ptr.To(k.cfg.nodeName)
	l.Spec.LeaseDurationSeconds = ptr.To(int32(leaseDuration / time.Second))
	l.Spec.RenewTime = &now
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
	return err
}

func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 8 << 30
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 && fs[0] == "MemTotal:" {
			if kb, err := strconv.ParseInt(fs[1], 10, 64); err == nil {
				return kb * 1024
			}
		}
	}
	return 8 << 30
}

func readTrim(p string) string {
	b, _ := os.ReadFile(p)
	return strings.TrimSpace(string(b))
}

func utsString(b []int8) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}
