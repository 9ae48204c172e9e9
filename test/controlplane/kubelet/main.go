// Command kubelet is a process kubelet for tests: it registers a Ready Node, keeps its
// Lease, and runs the pods bound to it as plain processes, each pod in its own network
// namespace (a veth to a test-owned bridge, a pod IP from the node's range) and each
// container in a private mount namespace where the pod's Secret, ConfigMap, projected
// and emptyDir volumes are bind-mounted at their paths. Images are not pulled: an image
// maps to a program built from source (--image name=path); any other image leaves its
// container waiting with ErrImageNeverPull. It serves /containerLogs over HTTPS so the
// API server's pods/log works.
//
//	kubelet --kubeconfig K --node-name N --node-ip IP --pod-cidr CIDR --gateway IP
//	        --prefix-len 20 --bridge BR --name-prefix P --root-dir D --ca-cert C --ca-key K
//	        [--image echo-basic=/path] ...
//
// The same binary, called as `kubelet init <spec.json>`, is the in-namespace launcher of
// one container (see launcher.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

type imageFlags map[string]string

func (f imageFlags) String() string { return fmt.Sprint(map[string]string(f)) }
func (f imageFlags) Set(v string) error {
	name, path, ok := strings.Cut(v, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("--image wants name=/path/to/program, got %q", v)
	}
	f[name] = path
	return nil
}

type config struct {
	kubeconfig     string
	nodeName       string
	nodeIP         net.IP
	podCIDR        *net.IPNet
	gateway        net.IP
	prefixLen      int
	bridge         string
	namePrefix     string
	rootDir        string
	caCert, caKey  string
	port           int
	images         imageFlags
	restartBackoff time.Duration
	maxBackoff     time.Duration
	maxPods        int
	version        string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "init" {
		runInit(os.Args[2:]) // never returns
	}
	cfg := config{images: imageFlags{}}
	var nodeIP, podCIDR, gateway string
	flag.StringVar(&cfg.kubeconfig, "kubeconfig", "", "kubeconfig of the API server")
	flag.StringVar(&cfg.nodeName, "node-name", "", "Node name")
	flag.StringVar(&nodeIP, "node-ip", "", "the node's InternalIP (an address on the bridge); the kubelet listens there")
	flag.StringVar(&podCIDR, "pod-cidr", "", "this node's pod range, e.g. 10.244.1.0/24")
	flag.StringVar(&gateway, "gateway", "", "pods' default gateway (the bridge's address)")
	flag.IntVar(&cfg.prefixLen, "prefix-len", 0, "prefix length of pod addresses on the bridge's segment (default: the pod CIDR's)")
	flag.StringVar(&cfg.bridge, "bridge", "", "Linux bridge the pods' veths join (created by the caller)")
	flag.StringVar(&cfg.namePrefix, "name-prefix", "", "prefix of this node's network namespaces and host veths (short: veth names have 15 characters)")
	flag.StringVar(&cfg.rootDir, "root-dir", "", "directory for pods' volumes and logs")
	flag.StringVar(&cfg.caCert, "ca-cert", "", "cluster CA: verifies clients of the kubelet port, signs its serving certificate")
	flag.StringVar(&cfg.caKey, "ca-key", "", "the CA's private key")
	flag.IntVar(&cfg.port, "port", 10250, "kubelet HTTPS port on --node-ip (0: any free port)")
	flag.Var(cfg.images, "image", "name=/path: images whose name (without registry and tag) ends in name run /path (repeatable)")
	flag.DurationVar(&cfg.restartBackoff, "restart-backoff", 10*time.Second, "first delay before restarting a failed container (doubles up to --max-backoff)")
	flag.DurationVar(&cfg.maxBackoff, "max-backoff", 5*time.Minute, "longest restart delay")
	flag.IntVar(&cfg.maxPods, "max-pods", 110, "pods capacity")
	flag.StringVar(&cfg.version, "version", "v0.0.0", "kubelet version to report (the control plane's)")
	klog.InitFlags(nil)
	flag.Parse()

	var err error
	if cfg.nodeIP = net.ParseIP(nodeIP).To4(); cfg.nodeIP == nil {
		fatalf("--node-ip %q is not an IPv4 address", nodeIP)
	}
	if _, cfg.podCIDR, err = net.ParseCIDR(podCIDR); err != nil || cfg.podCIDR.IP.To4() == nil {
		fatalf("--pod-cidr %q is not an IPv4 CIDR", podCIDR)
	}
	if cfg.gateway = net.ParseIP(gateway).To4(); cfg.gateway == nil {
		fatalf("--gateway %q is not an IPv4 address", gateway)
	}
	if cfg.prefixLen == 0 {
		cfg.prefixLen, _ = cfg.podCIDR.Mask.Size()
	}
	for name, v := range map[string]string{"kubeconfig": cfg.kubeconfig, "node-name": cfg.nodeName, "bridge": cfg.bridge,
		"name-prefix": cfg.namePrefix, "root-dir": cfg.rootDir, "ca-cert": cfg.caCert, "ca-key": cfg.caKey} {
		if v == "" {
			fatalf("--%s is required", name)
		}
	}
	if len(cfg.namePrefix) > 9 {
		fatalf("--name-prefix %q is longer than 9 characters (host veth names are prefix + 6 or more hex digits, at most 15)", cfg.namePrefix)
	}

	rc, err := clientcmd.BuildConfigFromFlags("", cfg.kubeconfig)
	if err != nil {
		fatalf("kubeconfig: %v", err)
	}
	rc.QPS, rc.Burst = 100, 200
	rc.UserAgent = "gatehouse-process-kubelet/" + cfg.nodeName
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		fatalf("client: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	k, err := newKubelet(ctx, cfg, client)
	if err != nil {
		fatalf("%v", err)
	}
	errs := make(chan error, 1)
	go func() { errs <- k.run(ctx) }()
	select {
	case s := <-sigs:
		klog.InfoS("stopping: killing pods and removing their namespaces", "signal", s.String())
	case err := <-errs:
		klog.ErrorS(err, "kubelet failed")
	}
	cancel()
	k.shutdown()
	klog.Flush()
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "process-kubelet: "+format+"\n", args...)
	os.Exit(2)
}
