// Command controlplane builds and prepares a real Kubernetes control plane for tests:
// etcd and kube-apiserver (and, on request, kube-controller-manager and kube-scheduler)
// compiled from the Go module proxy at the versions pinned in go.mod, cached by version
// outside the repository, plus the certificates and kubeconfig to run them on loopback.
// The TypeScript harness (test/harness) starts and stops the processes.
//
//	go run . build [component...]   build what is missing; print a JSON manifest
//	go run . certs <dir> --server <url>
//	<tool> exec <binary> [args...]   exec a binary that dies with its parent
package main

import (
	"fmt"
	"os"
)

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  controlplane build [component...]       components: `+componentNames()+` (default: etcd kube-apiserver)
  controlplane certs <dir> --server <url>  CA, serving and client certificates, SA keys, tokens, kubeconfig
  controlplane exec <binary> [args...]     run binary; it is killed when the calling process dies
`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = runBuild(os.Args[2:])
	case "certs":
		err = runCerts(os.Args[2:])
	case "exec":
		err = runExec(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "controlplane: %v\n", err)
		os.Exit(1)
	}
}
