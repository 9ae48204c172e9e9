package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

type kubelet struct {
	cfg    config
	client kubernetes.Interface
	port   int // the HTTPS port actually bound
	ipam   *ipam
	images *images

	mu      sync.Mutex
	workers map[types.UID]*podWorker
	wg      sync.WaitGroup // one per worker goroutine
}

func newKubelet(ctx context.Context, cfg config, client kubernetes.Interface) (*kubelet, error) {
	if err := os.MkdirAll(filepath.Join(cfg.rootDir, "pods"), 0o755); err != nil {
		return nil, err
	}
	ip, err := newIPAM(cfg.podCIDR)
	if err != nil {
		return nil, err
	}
	return &kubelet{cfg: cfg, client: client, ipam: ip, images: newImages(cfg.images), workers: map[types.UID]*podWorker{}}, nil
}

func (k *kubelet) run(ctx context.Context) error {
	// Namespaces and veths of this node's prefix are from a previous run that died.
	removeStaleSandboxes(k.cfg.namePrefix)

	srv, err := k.startServer()
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := k.registerNode(ctx); err != nil {
		return err
	}
	go k.heartbeat(ctx)

	factory := informers.NewSharedInformerFactoryWithOptions(k.client, 0, informers.WithTweakListOptions(func(o *metav1.ListOptions) {
		o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", k.cfg.nodeName).String()
	}))
	inf := factory.Core().V1().Pods().Informer()
	_, err = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { k.podChanged(obj) },
		UpdateFunc: func(_, obj any) { k.podChanged(obj) },
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				k.podRemoved(p)
			}
		},
	})
	if err != nil {
		return err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return fmt.Errorf("pod informer did not sync")
	}
	klog.InfoS("kubelet running", "node", k.cfg.nodeName, "ip", k.cfg.nodeIP, "port", k.port, "podCIDR", k.cfg.podCIDR)
	<-ctx.Done()
	return nil
}

// podChanged hands the pod to its worker, starting one for a pod seen the first time.
func (k *kubelet) podChanged(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	w := k.workers[pod.UID]
	if w == nil {
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			if pod.DeletionTimestamp == nil {
				return // finished before this kubelet started; nothing runs
			}
		}
		w = newPodWorker(k, pod)
		k.workers[pod.UID] = w
		k.wg.Add(1)
		go func() {
			defer k.wg.Done()
			w.run()
			k.mu.Lock()
			delete(k.workers, pod.UID)
			k.mu.Unlock()
		}()
	}
	w.update(pod)
}

// podRemoved: the object is gone from the API (force deletion, or our own final delete).
func (k *kubelet) podRemoved(pod *corev1.Pod) {
	k.mu.Lock()
	w := k.workers[pod.UID]
	k.mu.Unlock()
	if w != nil {
		w.removed()
	}
}

func (k *kubelet) worker(ns, name string) *podWorker {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, w := range k.workers {
		if w.namespace == ns && w.name == name {
			return w
		}
	}
	return nil
}

// shutdown kills every pod's processes (a short grace: the cluster is going away) and
// removes their network namespaces and veths.
func (k *kubelet) shutdown() {
	k.mu.Lock()
	ws := make([]*podWorker, 0, len(k.workers))
	for _, w := range k.workers {
		ws = append(ws, w)
	}
	k.mu.Unlock()
	for _, w := range ws {
		w.shutdown()
	}
	done := make(chan struct{})
	go func() { k.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		klog.Warning("pods did not stop within 15s")
	}
	removeStaleSandboxes(k.cfg.namePrefix)
}

// ipam hands out the node's pod addresses (not the network, broadcast or gateway).
type ipam struct {
	mu    sync.Mutex
	base  net.IP
	size  int
	taken map[int]bool
	next  int
}

func newIPAM(cidr *net.IPNet) (*ipam, error) {
	ones, bits := cidr.Mask.Size()
	if bits != 32 || ones > 29 {
		return nil, fmt.Errorf("pod CIDR %s: want an IPv4 range of at least /29", cidr)
	}
	return &ipam{base: cidr.IP.To4(), size: 1 << (bits - ones), taken: map[int]bool{}, next: 1}, nil
}

func (a *ipam) allocate(exclude net.IP) (net.IP, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := 0; i < a.size; i++ {
		n := a.next
		a.next++
		if a.next >= a.size-1 {
			a.next = 1
		}
		if n < 1 || n >= a.size-1 || a.taken[n] {
			continue
		}
		ip := a.ip(n)
		if ip.Equal(exclude) {
			continue
		}
		a.taken[n] = true
		return ip, nil
	}
	return nil, fmt.Errorf("no free pod address in %s/%d", a.base, 32-log2(a.size))
}

func (a *ipam) release(ip net.IP) {
	ip = ip.To4()
	if ip == nil {
		return
	}
	n := int(u32(ip) - u32(a.base))
	a.mu.Lock()
	delete(a.taken, n)
	a.mu.Unlock()
}

func (a *ipam) ip(n int) net.IP {
	v := u32(a.base) + uint32(n)
	return net.IPv4(byte(v>>24), byte(v>>16), byte(v>>8), byte(v)).To4()
}

func u32(ip net.IP) uint32 {
	return uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
}

func log2(n int) int {
	l := 0
	for n > 1 {
		n >>= 1
		l++
	}
	return l
}
